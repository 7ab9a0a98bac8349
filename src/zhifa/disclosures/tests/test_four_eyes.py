"""Four eyes on publication (PUB-13, PUB-06): an item is published, or decided
不予公开, by a member of the legal unit who neither prepared nor submitted it —
through the service, the workbench and the API alike; a refusal changes
nothing. ``ZHIFA_DISCLOSURE_FOUR_EYES`` off lets a one-person office do both."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhifa.core.errors import Forbidden
from zhifa.disclosures import selectors, services
from zhifa.disclosures.models import Disclosure
from zhifa.disclosures.tests.conftest import decision
from zhifa.disclosures.tests.test_pipeline import counts

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-13")]


@pytest.fixture
def colleague(build, county, desk):
    """A second member of the market agency's legal unit."""
    return build.officer(county.market, roles=(), unit=county.market_legal, credential=False).user


def in_review(desk, *, preparer, submitter=None) -> Disclosure:
    item = services.disclosure_prepare(actor=preparer, agency=desk.agency, draft=decision(desk))
    return services.disclosure_submit(actor=submitter or preparer, disclosure=item)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_preparer_may_neither_publish_nor_withhold(desk, colleague):
    item = in_review(desk, preparer=desk.legal)
    before = counts()
    with pytest.raises(Forbidden, match="您是该信息的拟稿人，不能审核通过并公示") as refused:
        services.disclosure_publish(actor=desk.legal, disclosure=item)
    assert refused.value.code == "own_item"
    with pytest.raises(Forbidden, match="您是该信息的拟稿人，不能决定不予公开"):
        services.disclosure_withhold(actor=desk.legal, disclosure=item, ground="涉及商业秘密")
    assert counts() == before
    item.refresh_from_db()
    assert item.status == Disclosure.Status.IN_REVIEW and item.published_at is None
    assert not selectors.published_decisions().exists()
    assert selectors.checkers(item) == [colleague]

    published = services.disclosure_publish(actor=colleague, disclosure=item)
    assert published.status == Disclosure.Status.PUBLISHED
    assert list(published.events.values_list("action", "actor")) == [
        ("prepare", desk.legal.pk),
        ("submit", desk.legal.pk),
        ("publish", colleague.pk),
    ]


def test_who_submitted_an_officers_draft_may_not_confirm_it(desk, colleague):
    item = in_review(desk, preparer=desk.officer, submitter=desk.legal)
    before = counts()
    with pytest.raises(Forbidden, match="您提交了该信息的法制审核"):
        services.disclosure_publish(actor=desk.legal, disclosure=item)
    with pytest.raises(Forbidden, match="您提交了该信息的法制审核"):
        services.disclosure_withhold(actor=desk.legal, disclosure=item, ground="涉及个人隐私")
    assert counts() == before
    withheld = services.disclosure_withhold(actor=colleague, disclosure=item, ground="涉及个人隐私")
    assert withheld.status == Disclosure.Status.WITHHELD


def test_an_officers_item_is_confirmed_by_the_legal_unit(desk):
    item = in_review(desk, preparer=desk.officer)
    assert services.own_work(desk.legal, item) == ""
    assert services.disclosure_publish(actor=desk.legal, disclosure=item).status == "published"


def test_a_correction_is_confirmed_by_someone_other_than_who_made_it(desk, colleague):
    original = services.disclosure_publish(
        actor=desk.legal, disclosure=in_review(desk, preparer=desk.officer)
    )
    replacement = services.disclosure_correct(
        actor=desk.legal,
        disclosure=original,
        explanation="原决定文号有误，予以更正",
        draft=decision(desk, document_number="示市监罚〔2026〕13号"),
    )
    services.disclosure_submit(actor=desk.officer, disclosure=replacement)
    with pytest.raises(Forbidden, match="拟稿人"):
        services.disclosure_publish(actor=desk.legal, disclosure=replacement)
    assert (
        services.disclosure_publish(actor=colleague, disclosure=replacement).supersedes == original
    )


def test_a_one_person_office_may_switch_it_off(desk, settings):
    settings.ZHIFA_DISCLOSURE_FOUR_EYES = False
    item = in_review(desk, preparer=desk.legal)
    assert services.own_work(desk.legal, item) == ""
    assert services.disclosure_publish(actor=desk.legal, disclosure=item).status == "published"
    other = in_review(desk, preparer=desk.legal, submitter=desk.legal)
    other = services.disclosure_withhold(actor=desk.legal, disclosure=other, ground="涉及商业秘密")
    assert other.status == Disclosure.Status.WITHHELD
    # The legal-unit check itself stays.
    with pytest.raises(Forbidden):
        services.disclosure_publish(
            actor=desk.officer, disclosure=in_review(desk, preparer=desk.officer)
        )


# --- The workbench ------------------------------------------------------------------------


def test_the_workbench_hides_the_buttons_from_the_preparer_and_says_why(desk, colleague):
    item = in_review(desk, preparer=desk.legal)
    detail = reverse("portal:wb-detail", args=[item.pk])
    publish = reverse("portal:wb-publish", args=[item.pk])
    withhold = reverse("portal:wb-withhold", args=[item.pk])
    own = login(desk.legal)
    page = own.get(detail).content.decode()
    assert publish not in page and withhold not in page
    assert reverse("portal:wb-return", args=[item.pk]) in page  # returning it stays possible
    assert 'id="four-eyes"' in page and "您是该信息的拟稿人" in page
    # The confirmation page is not offered; a forged POST is refused by the service.
    response = own.get(publish, follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert "须由本机关法制机构其他人员审核公示" in response.content.decode()
    before = counts()
    response = own.post(publish, {"confirmed": "1"}, follow=True)
    assert "不能审核通过并公示" in response.content.decode()
    response = own.post(withhold, {"confirmed": "1", "ground": "涉及商业秘密"})
    assert response.status_code == 200 and "不能决定不予公开" in response.content.decode()
    assert counts() == before
    item.refresh_from_db()
    assert item.status == Disclosure.Status.IN_REVIEW

    other = login(colleague)
    page = other.get(detail).content.decode()
    assert publish in page and withhold in page and "four-eyes" not in page
    other.post(publish, {"confirmed": "1"})
    item.refresh_from_db()
    assert item.status == Disclosure.Status.PUBLISHED


def test_the_workbench_with_four_eyes_off(desk, settings):
    settings.ZHIFA_DISCLOSURE_FOUR_EYES = False
    item = in_review(desk, preparer=desk.legal)
    own = login(desk.legal)
    page = own.get(reverse("portal:wb-detail", args=[item.pk])).content.decode()
    assert reverse("portal:wb-publish", args=[item.pk]) in page and "four-eyes" not in page
    own.post(reverse("portal:wb-publish", args=[item.pk]), {"confirmed": "1"})
    item.refresh_from_db()
    assert item.status == Disclosure.Status.PUBLISHED


# --- The API ------------------------------------------------------------------------------


def api(client, name, pk, **data):
    return client.post(reverse(f"api:disclosure-item-{name}", args=[pk]), data, format="json")


def test_the_api_refuses_the_preparer_and_lets_a_colleague_publish(desk, colleague):
    item = services.disclosure_prepare(actor=desk.legal, agency=desk.agency, draft=decision(desk))
    own = login(desk.legal)
    response = api(own, "submit", item.pk)
    assert response.status_code == 200 and response.json()["status"] == "in_review"
    before = counts()
    response = api(own, "publish", item.pk)
    assert response.status_code == 403
    assert response.json()["code"] == "own_item" and "拟稿人" in response.json()["detail"]
    response = api(own, "withhold", item.pk, ground="涉及商业秘密")
    assert response.status_code == 403 and response.json()["code"] == "own_item"
    assert counts() == before
    assert (
        login(desk.outsider).get(reverse("api:disclosure-item-detail", args=[item.pk])).status_code
        == 404
    )
    assert api(login(desk.outsider), "publish", item.pk).status_code == 404
    assert api(login(desk.officer), "publish", item.pk).status_code == 404  # not theirs to see
    assert api(login(desk.leader), "publish", item.pk).status_code == 403  # not the legal unit

    response = api(login(colleague), "publish", item.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published" and body["created_by"] == desk.legal.pk
    public = Client().get(reverse("api:disclosure-detail", args=[item.pk]))
    assert public.status_code == 200 and public.json()["document_number"] == item.document_number


def test_the_api_withholds_and_publishes_alone_with_four_eyes_off(desk, settings):
    settings.ZHIFA_DISCLOSURE_FOUR_EYES = False
    own = login(desk.legal)
    first = in_review(desk, preparer=desk.legal)
    assert api(own, "publish", first.pk).json()["status"] == "published"
    second = in_review(desk, preparer=desk.legal)
    assert api(own, "withhold", second.pk).status_code == 400  # the ground is required
    response = api(own, "withhold", second.pk, ground="涉及商业秘密")
    assert response.status_code == 200 and response.json()["withholding_ground"] == "涉及商业秘密"
