"""Every look at a case is on record (调阅监督, REC-12).

The routes of the apps that hold case content (cases, media, instruments,
casefiles: their workbench pages and their API) are read from the URL
resolver. Each must be classified here: either it shows case content and a GET
on it, for a closed case with a bound case file, appends a ``*.view`` ledger
entry naming that case (``LOGGED``), or it is listed in ``ALLOWLIST`` with the
reason it needs none. A route in neither list fails the suite, so a new page
cannot slip by unlogged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhifa.accounts.models import Role
from zhifa.casefiles import services as casefile_services
from zhifa.casefiles.models import CaseFile, CatalogueEntry
from zhifa.cases.models import Case, Record, Signature, Stage
from zhifa.cases.records import KINDS
from zhifa.cases.testing import Team, advance_to, open_case
from zhifa.instruments.models import Instrument
from zhifa.ledger.models import LedgerEntry
from zhifa.media.models import MediaItem

pytestmark = pytest.mark.req("REC-12")

APPS = ("cases", "media", "instruments", "casefiles", "reviews", "reasons", "assist")


@dataclass
class Sample:
    """A closed ordinary case with its file bound, and one object of each kind."""

    team: Team
    case: Case
    record: Record  # in force, made by the handling officers (so correctable by the lead)
    signature: Signature  # with an image
    media: MediaItem
    instrument: Instrument
    case_file: CaseFile
    entry: CatalogueEntry  # with a PDF


# --- The routes that show case content: how to address each for the sample case -----------

LOGGED = {
    # Workbench: cases
    "cases:case-detail": lambda s: {"pk": s.case.pk},
    # The correction form opens filled with the record's content.
    "cases:record-correct": lambda s: {"pk": s.case.pk, "rid": s.record.pk},
    "cases:signature-image": lambda s: {"pk": s.case.pk, "sid": s.signature.pk},
    # Workbench: media
    "media:case-list": lambda s: {"case_pk": s.case.pk},
    "media:detail": lambda s: {"pk": s.media.pk},
    "media:file": lambda s: {"pk": s.media.pk},
    # Workbench: instruments
    "instruments:case": lambda s: {"case_pk": s.case.pk},
    "instruments:detail": lambda s: {"pk": s.instrument.pk},
    "instruments:download": lambda s: {"pk": s.instrument.pk, "fmt": "pdf"},
    # Workbench: case files
    "casefiles:detail": lambda s: {"pk": s.case.pk},
    "casefiles:pdf": lambda s: {"pk": s.case.pk},
    "casefiles:zip": lambda s: {"pk": s.case.pk},
    "casefiles:entry-pdf": lambda s: {"pk": s.case.pk, "entry_pk": s.entry.pk},
    # Workbench: reasons
    "reasons:detail": lambda s: {"pk": s.case.pk},
    # Workbench: transcripts of recordings
    "assist:transcript": lambda s: {"pk": s.media.pk},
    "api:transcription-detail": lambda s: {"pk": s.media.pk},
    # Assistance beside a case: similar cases, provisions, dispute hints (INF-03, INF-04)
    "assist:case-hints": lambda s: {"pk": s.case.pk},
    "api:assist-hint-detail": lambda s: {"pk": s.case.pk},
    # API
    "api:case-detail": lambda s: {"pk": s.case.pk},
    "api:case-record-list": lambda s: {"case_pk": s.case.pk},
    "api:case-record-detail": lambda s: {"case_pk": s.case.pk, "pk": s.record.pk},
    "api:media-detail": lambda s: {"pk": s.media.pk},
    "api:instrument-detail": lambda s: {"pk": s.instrument.pk},
    "api:instrument-download": lambda s: {"pk": s.instrument.pk},
    "api:casefile-detail": lambda s: {"pk": s.case.pk},
    "api:casefile-pdf": lambda s: {"pk": s.case.pk},
    "api:casefile-zip": lambda s: {"pk": s.case.pk},
    # Legal review: the case's review page (rounds, opinions, trail)
    "reviews:case": lambda s: {"pk": s.case.pk},
    "api:review-case-detail": lambda s: {"pk": s.case.pk},
}

# --- The routes that need no view entry, and why ----------------------------------------

LIST = "list of the cases (or their items) the user may see; opening one is logged"
POST_ONLY = "POST only: an action, logged by its service as a write"
FORM = "form or confirmation of an action; shows the case number, none of its content"
AGENCY = "agency settings (templates, number formats, AV list, pre-printed forms): no case"
REVIEW_OBJECT = "logs case.view; the sample case has no legal review (see reviews/tests)"

REASONS_API = "logs case.view per case shown (reasons/tests/test_api.py)"

ALLOWLIST = {
    # Workbench: cases
    "cases:case-list": LIST,
    "cases:case-create": "form to open a new case: no case yet",
    "cases:case-advance": FORM + " (only which records are still missing)",
    "cases:party-add": FORM,
    "cases:officer-assign": FORM,
    "cases:officer-release": FORM,
    "cases:case-suspend": FORM + " (and the case's current due date)",
    "cases:case-resume": FORM + " (and since when the time limit is suspended)",
    "cases:record-create": FORM + " (an empty record form)",
    "cases:record-sign": FORM + " (the record's kind and which signatures are missing)",
    # Workbench: media
    "media:requirement-list": AGENCY,
    "media:requirement-create": AGENCY,
    "media:requirement-seed": AGENCY,
    "media:requirement-import": AGENCY,
    "media:requirement-template": AGENCY,
    "media:requirement-edit": AGENCY,
    "media:requirement-delete": AGENCY,
    "media:upload": FORM + " (an empty upload form)",
    # A video's poster frame is a thumbnail embedded in the case page and the media
    # pages, which are logged; an entry per thumbnail would log one look many times.
    "media:poster": "thumbnail inside pages that log the viewing (case page, media pages)",
    # Workbench: instruments
    "instruments:issue": FORM + " (picks a record by kind and date)",
    "instruments:template-list": AGENCY,
    "instruments:template-upload": AGENCY,
    "instruments:template-default": AGENCY,
    "instruments:template-file": AGENCY,
    "instruments:template-deactivate": AGENCY,
    "instruments:pattern-list": AGENCY,
    "instruments:pattern-set": AGENCY,
    "instruments:batch-list": AGENCY,
    "instruments:batch-create": AGENCY,
    # Workbench: case files
    "casefiles:list": LIST,
    "casefiles:overdue": LIST,
    "casefiles:assemble": FORM,
    "casefiles:archive": FORM,
    "casefiles:supplement": FORM,
    # Workbench and API: reasons. The API reads log a look per case shown (list) or
    # at the item's case (detail); the closed sample has no reasons to address them
    # by: reasons/tests/test_api.py::test_every_api_read_is_logged_as_a_look_at_its_case.
    "reasons:edit": "form for handlers of an open case; its GET logs case.view (reasons tests)",
    "reasons:request-create": FORM,
    "reasons:exemption-create": FORM,
    "reasons:oral-create": FORM,
    "reasons:request-list": LIST,
    "reasons:request-answer": FORM + "; its GET logs case.view (reasons tests)",
    "reasons:exemption-objection": FORM,
    "reasons:ground-create": FORM,
    "reasons:ground-withdraw": FORM,
    "reasons-portal:public-request": "portal form for the party; no login, shows no case data",
    "reasons-portal:public-status": "status of one request to the holder of its code (no login)",
    "api:reasons-ground-list": REASONS_API,
    "api:reasons-ground-detail": REASONS_API,
    "api:reasons-ground-withdraw": POST_ONLY,
    "api:reasons-list": REASONS_API,
    "api:reasons-detail": REASONS_API,
    "api:reasons-check": REASONS_API,
    "api:reasons-assist": "needs ?case=; logs case.view for that case (reasons tests)",
    "api:reasons-request-list": REASONS_API,
    "api:reasons-request-detail": REASONS_API,
    "api:reasons-request-answer": POST_ONLY,
    "api:reasons-exemption-list": REASONS_API,
    "api:reasons-exemption-detail": REASONS_API,
    "api:reasons-exemption-objection": POST_ONLY,
    "api:oral-reasons-list": REASONS_API,
    "api:oral-reasons-detail": REASONS_API,
    # Workbench and API: transcripts
    "assist:start": FORM,
    "assist:cancel": FORM,
    "assist:progress": "status and percentage of the transcription job, no text",
    "assist:correct": "form for handlers of an open case (the sample is closed); "
    "its GET logs case.view (assist/tests/test_views.py)",
    "assist:search": "search across cases; each case whose text is shown is logged",
    "api:transcription-list": LIST,
    "api:transcription-cancel": POST_ONLY,
    "api:transcription-corrections": POST_ONLY,
    "api:transcript-segment-list": "search across cases; each case whose text is shown is logged",
    # Assistance: dispute points into the reasons, read documents (INF-03, INF-04)
    "assist:point-add": FORM + " (shows only the sentence its link carries; handlers only)",
    "assist:document-upload": FORM + "; logs case.view when it lists the case's photos "
    "(assist/tests/test_documents.py)",
    "assist:document": "logs case.view; the sample case has no uploaded document "
    "(assist/tests/test_documents.py)",
    "assist:document-progress": "status and percentage of the reading job, no text",
    "assist:document-retry": FORM,
    "api:assist-hint-points": POST_ONLY,
    "api:assist-document-list": LIST,
    "api:assist-document-detail": "logs case.view; the sample case has no uploaded document "
    "(assist/tests/test_documents.py)",
    "api:assist-document-retry": POST_ONLY,
    "api:assist-document-page-list": "search across cases; each case whose text is shown is logged",
    # API: cases
    "api:case-list": LIST,
    "api:case-advance": POST_ONLY,
    "api:case-officer-release": POST_ONLY,
    "api:case-officers": POST_ONLY,
    "api:case-parties": POST_ONLY,
    "api:case-suspensions": POST_ONLY,
    "api:case-resume": POST_ONLY,
    "api:case-record-signatures": POST_ONLY,
    # API: media
    "api:media-requirement-list": AGENCY,
    "api:media-requirement-detail": AGENCY,
    "api:media-requirement-seed": POST_ONLY,
    # With ``?case=`` the list is one case's items, and is logged (see the test below).
    "api:media-list": LIST,
    "api:media-upload-list": POST_ONLY,
    # GET reads the progress of the uploader's own unfinished upload: not yet evidence.
    "api:media-upload-detail": "progress of the user's own unfinished upload (offset, size)",
    "api:media-upload-complete": POST_ONLY,
    # API: instruments
    "api:instrument-list": LIST,
    # API: case files
    "api:casefile-list": LIST,
    "api:casefile-overdue": LIST,
    "api:casefile-assemble": POST_ONLY,
    "api:casefile-archive": POST_ONLY,
    "api:casefile-supplements": POST_ONLY,
    # Legal review. Its object pages log a case.view like the case page; the sample
    # case has no review to address them by (tested in reviews/tests/test_views.py).
    "reviews:queue": LIST,
    "reviews:submit": FORM + " (an empty submission form)",
    "reviews:check": FORM + " (which materials the checklist finds missing)",
    "reviews:flag": FORM,
    "reviews:deliberate": FORM + " (an empty minutes form)",
    "reviews:pause": FORM,
    "reviews:resume": FORM,
    "reviews:extend": FORM,
    "reviews:decide": FORM + " (an empty opinion form)",
    "reviews:respond": FORM + " (the opinion being answered; logged on the review page)",
    "reviews:document": REVIEW_OBJECT,
    "reviews:notice": REVIEW_OBJECT,
    "reviews:rule-list": AGENCY,
    "reviews:rule-create": AGENCY,
    "reviews:rule-import": AGENCY,
    "api:review-rule-list": AGENCY,
    "api:review-rule-detail": AGENCY,
    "api:review-rule-end": POST_ONLY,
    "api:review-submission-list": REVIEW_OBJECT + "; a look per case shown",
    "api:review-submission-detail": REVIEW_OBJECT,
    "api:review-submission-check": POST_ONLY,
    "api:review-submission-supplement": POST_ONLY,
    "api:review-submission-pause": POST_ONLY,
    "api:review-submission-resume": POST_ONLY,
    "api:review-submission-extend": POST_ONLY,
    "api:review-submission-decide": POST_ONLY,
    "api:review-list": REVIEW_OBJECT + "; a look per case shown",
    "api:review-detail": REVIEW_OBJECT,
    "api:review-respond": POST_ONLY,
    "api:review-deliberation-list": REVIEW_OBJECT + "; a look per case shown",
    "api:review-deliberation-detail": REVIEW_OBJECT,
    "api:review-case-flag": POST_ONLY,
    "api:review-case-proposal": POST_ONLY,
    # Legal review: catalogue filing and publication, 初审, advisers, forwarding (REV-01 … 03).
    "reviews:catalogue-disclose": AGENCY + " (confirmation: the catalogue's portal draft)",
    "reviews:filing-list": AGENCY + " (the catalogue's filings with the 司法局)",
    "reviews:filing-create": AGENCY + " (confirmation of a catalogue filing)",
    "reviews:filing": AGENCY + " (one catalogue filing)",
    "reviews:filing-answer": AGENCY + " (the 司法局's answer to a catalogue filing)",
    "reviews:preliminary-setting": AGENCY + " (whether 初审 is required)",
    "reviews:preliminary": FORM + " (an empty 初审 form)",
    "reviews:adviser-invite": FORM + " (an empty invitation form)",
    "reviews:adviser-opinion": FORM + " (an empty opinion form)",
    "reviews:adviser-recheck": FORM + " (the opinion being re-checked; logged on the review page)",
    "reviews:adviser-document": REVIEW_OBJECT,
    "reviews:forward": FORM + " (an empty forwarding form)",
    "reviews:forwarding-list": LIST,
    "reviews:forward-answer": FORM + " (the opinion being answered; logged on the review page)",
    "api:review-filing-list": AGENCY + " (catalogue filings)",
    "api:review-filing-detail": AGENCY + " (a catalogue filing)",
    "api:review-filing-answer": POST_ONLY,
    "api:review-catalogue-disclosure-list": POST_ONLY,
    "api:review-preliminary-setting-list": POST_ONLY,
    "api:review-submission-advisers": POST_ONLY,
    "api:review-adviser-list": REVIEW_OBJECT + "; a look per case shown",
    "api:review-adviser-detail": REVIEW_OBJECT,
    "api:review-adviser-opinion": POST_ONLY,
    "api:review-adviser-recheck": POST_ONLY,
    "api:review-forward": POST_ONLY,
    "api:review-forwarding-list": REVIEW_OBJECT + "; a look per case shown",
    "api:review-forwarding-detail": REVIEW_OBJECT,
    "api:review-forwarding-answer": POST_ONLY,
    "api:review-case-preliminary": POST_ONLY,
}


# --- Reading the routes from the resolver ----------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, as for reverse()
    route: str
    callback: object

    @property
    def module(self) -> str:
        view = getattr(self.callback, "cls", None) or self.callback
        return view.__module__

    @property
    def methods(self) -> set[str] | None:
        """The methods a DRF route answers; ``None`` for a plain Django view."""
        actions = getattr(self.callback, "actions", None)
        return set(actions) if actions is not None else None


def _walk(patterns, prefix="", namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = ":".join((*namespaces, p.name or f"<unnamed {prefix}{p.pattern}>"))
            yield Route(name, prefix + str(p.pattern), p.callback)


def case_app_routes() -> list[Route]:
    """The routes of the workbench namespaces of ``APPS`` and every route (the API's
    included) whose view lives in one of them."""
    found = {}
    for r in _walk(get_resolver().url_patterns):
        in_app = any(r.module.startswith(f"zhifa.{app}.") for app in APPS)
        if in_app or r.name.split(":")[0] in APPS:
            found.setdefault(r.name, r)
    return list(found.values())


def test_every_route_of_the_case_apps_is_classified():
    routes = case_app_routes()
    names = {r.name for r in routes}
    assert "cases:case-detail" in names and "api:casefile-detail" in names
    unclassified = sorted(names - LOGGED.keys() - ALLOWLIST.keys())
    assert not unclassified, (
        f"unclassified route(s) {unclassified}: add each to LOGGED (it shows case content "
        "and its view must append a *.view ledger entry) or to ALLOWLIST with the reason"
    )
    assert not LOGGED.keys() & ALLOWLIST.keys()
    stale = sorted((LOGGED.keys() | ALLOWLIST.keys()) - names)
    assert not stale, f"classified route(s) that no longer exist: {stale}"


def test_what_is_logged_answers_get_and_what_is_post_only_does_not():
    for r in case_app_routes():
        if r.methods is None:
            continue
        if r.name in LOGGED:
            assert "get" in r.methods, r.name
        if ALLOWLIST.get(r.name) == POST_ONLY:
            assert "get" not in r.methods, f"{r.name} answers GET: classify what it shows"


# --- Every logged route, called for a real case ----------------------------------------


@pytest.fixture
def sample(team) -> Sample:
    case = advance_to(team, open_case(team), Stage.CLOSED)
    case_file = casefile_services.casefile_assemble(actor=team.lead, case=case)
    in_force = case.records.filter(superseded_by__isnull=True).order_by("pk")
    record = next(r for r in in_force if KINDS[r.kind].by == "handler")
    return Sample(
        team=team,
        case=case,
        record=record,
        signature=Signature.objects.filter(record__case=case, image__isnull=False).first(),
        media=MediaItem.objects.filter(case=case).first(),
        instrument=Instrument.objects.filter(case=case).first(),
        case_file=case_file,
        entry=case_file.entries.filter(pdf__isnull=False).order_by("position").first(),
    )


def _objects_of(case: Case) -> set[tuple[str, str]]:
    """The ledger addresses (object_type, object_id) of the case and its objects."""
    objects = {("cases.case", str(case.pk))}
    for model, rows in (
        (Record, Record.objects.filter(case=case)),
        (MediaItem, MediaItem.objects.filter(case=case)),
        (Instrument, Instrument.objects.filter(case=case)),
        (CaseFile, CaseFile.objects.filter(case=case)),
    ):
        label = model._meta.label_lower
        objects |= {(label, str(pk)) for pk in rows.values_list("pk", flat=True)}
    return objects


def _names(entry: LedgerEntry, case: Case, objects) -> bool:
    """Whether the entry is about ``case``: its object is the case or one of the
    case's objects (case.view, media.view, instrument.view, casefile.view), or
    its payload gives the case number."""
    return (entry.object_type, entry.object_id) in objects or entry.payload.get(
        "case"
    ) == case.number


def _read(response) -> None:
    """Read a streamed body to its end, as a browser would (the test client closes
    the response, and the file it streams, once its content is exhausted)."""
    if response.streaming:
        for _ in response.streaming_content:
            pass


@pytest.mark.django_db
def test_every_view_of_a_case_is_logged(sample, client_for):
    for name in ("signature", "media", "instrument", "entry"):
        assert getattr(sample, name) is not None, f"the sample case has no {name}"
    case = sample.case
    objects = _objects_of(case)
    lead = sample.team.lead
    client = client_for(lead)
    failures = []
    for name in sorted(LOGGED):
        url = reverse(name, kwargs=LOGGED[name](sample))
        last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        response = client.get(url)
        _read(response)
        if response.status_code != 200:
            failures.append(f"{name} {url}: status {response.status_code}")
            continue
        new = LedgerEntry.objects.filter(seq__gt=last, action__endswith=".view", actor_id=lead.pk)
        if not any(_names(entry, case, objects) for entry in new):
            failures.append(f"{name} {url}: no *.view ledger entry naming case {case.number}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_case_view_names_what_was_seen(sample, client_for):
    client = client_for(sample.team.lead)
    client.get(reverse("api:case-record-detail", args=[sample.case.pk, sample.record.pk]))
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.action == "case.view"
    assert (entry.object_type, entry.object_id) == ("cases.case", str(sample.case.pk))
    assert entry.payload == {"number": sample.case.number, "what": f"record:{sample.record.pk}"}
    assert entry.agency_id == sample.case.agency_id


@pytest.mark.django_db
def test_a_list_of_one_cases_items_is_logged_and_a_list_across_cases_is_not(
    sample, build, county, client_for
):
    client = client_for(sample.team.lead)
    for name, what in (("api:media-list", "media"), ("api:instrument-list", "instruments")):
        last = LedgerEntry.objects.order_by("-seq").first().seq
        assert client.get(reverse(name), {"case": sample.case.pk}).json()["count"] > 0
        [entry] = LedgerEntry.objects.filter(seq__gt=last)
        assert (entry.action, entry.payload) == (
            "case.view",
            {"number": sample.case.number, "what": what},
        )
        last = entry.seq
        assert client.get(reverse(name)).status_code == 200
        assert client.get(reverse(name), {"case": "x"}).status_code in (200, 400)
        assert not LedgerEntry.objects.filter(seq__gt=last).exists()
    # Someone who may not see the case gets an empty list and leaves no view entry.
    outsider = build.officer(county.safety, roles=(Role.LEADER,), credential=False)
    last = LedgerEntry.objects.order_by("-seq").first().seq
    response = client_for(outsider.user).get(reverse("api:media-list"), {"case": sample.case.pk})
    assert response.json()["count"] == 0
    assert not LedgerEntry.objects.filter(seq__gt=last).exists()


@pytest.mark.django_db
def test_a_refused_look_is_not_logged_as_a_view(sample, build, county, client_for):
    """Someone who may not read the case gets a 404 and leaves no view entry."""
    outsider = build.officer(county.safety, roles=(Role.LEADER,), credential=False)
    client = client_for(outsider.user)
    count = LedgerEntry.objects.filter(action__endswith=".view").count()
    for name in ("cases:signature-image", "media:detail", "api:case-record-list"):
        assert client.get(reverse(name, kwargs=LOGGED[name](sample))).status_code == 404
    assert LedgerEntry.objects.filter(action__endswith=".view").count() == count


def test_the_admin_shows_no_case_content():
    """The admin is outside the audited accessors, so it registers no model that
    holds a case's content (REC-12): cases, records, signatures, recordings,
    instruments and case files are read on the workbench only."""
    from django.contrib import admin

    content_models = {
        "cases.case", "cases.party", "cases.caseofficer", "cases.stagechange",
        "cases.record", "cases.signature", "media.mediaitem", "media.uploadsession",
        "instruments.instrument", "casefiles.casefile", "casefiles.catalogueentry",
    }  # fmt: skip
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not registered & content_models
