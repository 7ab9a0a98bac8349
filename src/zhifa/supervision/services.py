"""Writes of the supervision platform: 案卷评查 (the committed draw, scores,
rectification notices; SUP-02), the portal survey (SUP-03), filings (SUP-04)
and the annual statistics reports with their reminders (PUB-11). Each is
atomic and appends its ledger entry in the same transaction.

Also the stored dashboard figures (SUP-01): derived data, not a record, so
their refresh writes no ledger entry."""

from __future__ import annotations

import io
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Agency, Role
from zhifa.accounts.selectors import officer_of, roles_of, supervised_region
from zhifa.cases.models import Case, Stage, StageChange
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.inspections.draw import digest
from zhifa.supervision import dashboard, rubric
from zhifa.supervision.models import (
    AnnualReminder,
    AnnualReport,
    DashboardSnapshot,
    FileEvaluation,
    FileEvaluationItem,
    FileScore,
    Filing,
    RectificationNotice,
    RubricItem,
    SatisfactionResponse,
)
from zhifa.supervision.sampling import population_digest, sample
from zhifa.supervision.selectors import (
    dashboard_readers,
    dashboard_snapshot,
    region_agencies,
    snapshot_key,
)
from zhifa.supervision.stats import year_bounds


def require_evaluator(actor, agency: Agency) -> None:
    """Only the 司法局's supervisors draw files, and only of agencies they supervise."""
    region = supervised_region(actor)
    if region is None:
        raise Forbidden("只有司法局执法监督人员可以抽取评查案卷。", code="not_supervisor")
    if not region_agencies(region).filter(pk=agency.pk).exists():
        raise NotFound("执法主体不存在，或不在您的监督范围内。")


def evaluation_population(agency: Agency, year: int) -> list[int]:
    """The agency's cases closed in ``year`` (结案 or since archived), by id."""
    first, after = year_bounds(year)
    closed = StageChange.objects.filter(
        to_stage=Stage.CLOSED, changed_at__gte=first, changed_at__lt=after
    ).values("case_id")
    return sorted(
        Case.objects.filter(
            agency=agency, stage__in=[Stage.CLOSED, Stage.ARCHIVED], pk__in=closed
        ).values_list("pk", flat=True)
    )


def require_agency_leader(actor, agency: Agency) -> None:
    """The agency's own leaders or administrators act for it towards the 司法局."""
    officer = officer_of(actor)
    if officer is None or officer.agency_id != agency.pk or not officer.is_active:
        raise Forbidden("只有本机关负责人或管理员可以办理。", code="not_agency_leader")
    if not roles_of(actor) & {Role.LEADER, Role.AGENCY_ADMIN}:
        raise Forbidden("只有本机关负责人或管理员可以办理。", code="not_agency_leader")


# --- 案卷评查: the committed draw (SUP-02) -----------------------------------------------

VERSION = 1


def evaluation_material(evaluation: FileEvaluation) -> dict:
    """What the commitment binds: everything the draw depends on but the beacon."""
    return {
        "v": VERSION,
        "kind": "file_evaluation",
        "agency": evaluation.agency_id,
        "year": evaluation.year,
        "size": evaluation.size,
        "population_digest": evaluation.population_digest,
        "beacon_source": evaluation.beacon_source,
        "nonce": evaluation.nonce,
    }


def evaluation_seed(material: dict, beacon_value: str) -> str:
    return digest({"v": VERSION, "material": material, "beacon_value": beacon_value})


def file_evaluation_commit(
    *, actor, agency: Agency, year: int, size: int, beacon_source: str
) -> FileEvaluation:
    """Freeze the population and commit to the draw before it is made: a secret
    nonce is chosen by the platform and only its commitment is recorded; the
    seed will come from it and a public random value not yet produced. One round
    per agency and year, so nobody can draw again until a sample pleases."""
    require_evaluator(actor, agency)
    if not isinstance(size, int) or size < 1:
        raise InvalidInput("抽取数量须为正整数。", code="size")
    if size > settings.ZHIFA_SUPERVISION_EVALUATION_MAX_SAMPLE:
        raise InvalidInput(
            f"一次最多抽取 {settings.ZHIFA_SUPERVISION_EVALUATION_MAX_SAMPLE} 卷。", code="size"
        )
    beacon_source = (beacon_source or "").strip()
    if not beacon_source:
        raise InvalidInput(
            "请写明将采用的公共随机数来源（如某期福利彩票开奖号码）。", code="beacon_source"
        )
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        if FileEvaluation.objects.filter(agency=agency, year=year).exists():
            raise Conflict(
                f"{agency.name} {year} 年度已有评查抽样，不能重新抽取。", code="already_drawn"
            )
        population = evaluation_population(agency, year)
        if not population:
            raise Conflict(f"{agency.name}在 {year} 年没有已结案的案件可供抽取。", code="empty")
        evaluation = FileEvaluation(
            agency=agency,
            year=year,
            size=size,
            beacon_source=beacon_source,
            nonce=secrets.token_hex(32),
            population=population,
            population_digest=population_digest(population),
            committed_at=timezone.now(),
            committed_by=actor,
        )
        evaluation.commitment = digest(evaluation_material(evaluation))
        evaluation.save()
        ledger.append(
            actor=actor,
            action="file_evaluation.commit",
            obj=evaluation,
            agency_id=agency.pk,
            payload={
                "year": year,
                "size": size,
                "population_size": len(population),
                "population_digest": evaluation.population_digest,
                "beacon_source": beacon_source,
                "commitment": evaluation.commitment,
            },
        )
    return evaluation


def file_evaluation_draw(*, actor, evaluation: FileEvaluation, beacon_value: str) -> FileEvaluation:
    """Reveal: with the public random value now produced, derive the seed, draw
    the files, publish nonce and seed, and pre-score each file on the rubric."""
    require_evaluator(actor, evaluation.agency)
    beacon_value = (beacon_value or "").strip()
    if not beacon_value:
        raise InvalidInput("请填写已公布的公共随机数。", code="beacon_value")
    if len(beacon_value) > 255:
        raise InvalidInput("公共随机数过长。", code="beacon_value")
    with transaction.atomic():
        evaluation = FileEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if evaluation.is_drawn:
            raise Conflict("该评查抽样已经抽取，不能重新抽取。", code="already_drawn")
        evaluation.beacon_value = beacon_value
        evaluation.seed = evaluation_seed(evaluation_material(evaluation), beacon_value)
        drawn = sample(evaluation.population, evaluation.seed, evaluation.size)
        evaluation.state = FileEvaluation.State.DRAWN
        evaluation.drawn_at = timezone.now()
        evaluation.drawn_by = actor
        evaluation.save()
        files = FileEvaluationItem.objects.bulk_create(
            FileEvaluationItem(evaluation=evaluation, case_id=case_id, position=i)
            for i, case_id in enumerate(drawn, start=1)
        )
        _prescore(files)
        ledger.append(
            actor=actor,
            action="file_evaluation.draw",
            obj=evaluation,
            agency_id=evaluation.agency_id,
            payload={
                "commitment": evaluation.commitment,
                "nonce": evaluation.nonce,
                "beacon_value": beacon_value,
                "seed": evaluation.seed,
                "cases": drawn,
            },
        )
    return evaluation


def _prescore(files: list[FileEvaluationItem]) -> None:
    items = list(RubricItem.objects.filter(is_active=True))
    checks = [i.precheck for i in items if i.precheck]
    scores = []
    for file in files:
        case = Case.objects.select_related("agency", "matter").get(pk=file.case_id)
        found = rubric.precheck(case, checks)
        for item in items:
            ok, note = found.get(item.precheck, (None, ""))
            scores.append(
                FileScore(
                    file=file,
                    item=item,
                    max_points=item.points,
                    auto_points=None if ok is None else (item.points if ok else 0),
                    auto_note=note,
                )
            )
    FileScore.objects.bulk_create(scores)


def file_evaluation_verify(evaluation: FileEvaluation) -> bool:
    """Whether the recorded inputs give the recorded commitment, seed and sample again."""
    if not evaluation.is_drawn:
        return evaluation.commitment == digest(evaluation_material(evaluation))
    recorded = list(evaluation.items.order_by("position").values_list("case_id", flat=True))
    material = evaluation_material(evaluation)
    return (
        population_digest(evaluation.population) == evaluation.population_digest
        and digest(material) == evaluation.commitment
        and evaluation_seed(material, evaluation.beacon_value) == evaluation.seed
        and sample(evaluation.population, evaluation.seed, evaluation.size) == recorded
    )


# --- 案卷评查: scores and the rubric ------------------------------------------------------


def file_score_set(*, actor, score: FileScore, points: int, comment: str = "") -> FileScore:
    """An evaluator confirms (same points) or adjusts the score of one item; a
    change from the proposal needs a comment."""
    evaluation = score.file.evaluation
    require_evaluator(actor, evaluation.agency)
    if not isinstance(points, int) or not 0 <= points <= score.max_points:
        raise InvalidInput(f"评定分须在 0 至 {score.max_points} 之间。", code="points")
    comment = (comment or "").strip()
    with transaction.atomic():
        score = FileScore.objects.select_for_update().get(pk=score.pk)
        proposed = score.auto_points if score.auto_points is not None else score.max_points
        if points != proposed and not comment:
            raise InvalidInput("调整预评分须填写评查意见。", code="comment_required")
        before = score.points
        score.points, score.comment = points, comment
        score.confirmed_at, score.confirmed_by = timezone.now(), actor
        score.save()
        ledger.append(
            actor=actor,
            action="file_score.set",
            obj=score,
            agency_id=evaluation.agency_id,
            payload={
                "evaluation": evaluation.pk,
                "case": score.file.case_id,
                "item": score.item.code,
                "auto_points": score.auto_points,
                "before": before,
                "points": points,
                "comment": comment,
            },
        )
    return score


def rubric_item_update(
    *, actor, item: RubricItem, points: int, is_active: bool = True
) -> RubricItem:
    """The 司法局 changes an item's points or switches it off; draws already made
    keep the points they were scored on."""
    if supervised_region(actor) is None:
        raise Forbidden("只有司法局执法监督人员可以修改评查标准。", code="not_supervisor")
    if not isinstance(points, int) or points < 1:
        raise InvalidInput("分值须为正整数。", code="points")
    with transaction.atomic():
        before = (item.points, item.is_active)
        item.points, item.is_active = points, bool(is_active)
        item.save(update_fields=["points", "is_active"])
        ledger.append(
            actor=actor,
            action="rubric_item.update",
            obj=item,
            payload={"code": item.code, "before": list(before), "after": [points, is_active]},
        )
    return item


# --- 整改通知 ------------------------------------------------------------------------------


def notice_issue(
    *,
    actor,
    evaluation: FileEvaluation,
    content: str,
    due_on: date | None = None,
    file: FileEvaluationItem | None = None,
) -> RectificationNotice:
    require_evaluator(actor, evaluation.agency)
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请写明发现的问题和整改要求。", code="content_required")
    if not evaluation.is_drawn:
        raise Conflict("抽样尚未抽取，不能下发整改通知。", code="not_drawn")
    if file is not None and file.evaluation_id != evaluation.pk:
        raise InvalidInput("该案卷不属于本次评查。", code="file_other_evaluation")
    today = timezone.localdate()
    if due_on is None:
        from zhifa.catalogues.workdays import workdays_add

        due_on = workdays_add(today, settings.ZHIFA_SUPERVISION_RECTIFICATION_WORKDAYS).date
    if due_on <= today:
        raise InvalidInput("整改期限须晚于今天。", code="due_on")
    with transaction.atomic():
        notice = RectificationNotice.objects.create(
            evaluation=evaluation,
            file=file,
            agency=evaluation.agency,
            content=content,
            due_on=due_on,
            issued_by=actor,
        )
        ledger.append(
            actor=actor,
            action="rectification.issue",
            obj=notice,
            agency_id=notice.agency_id,
            payload={
                "evaluation": evaluation.pk,
                "case": file.case_id if file else None,
                "content": content,
                "due_on": due_on,
            },
        )
    return notice


def notice_reply(*, actor, notice: RectificationNotice, reply: str) -> RectificationNotice:
    require_agency_leader(actor, notice.agency)
    reply = (reply or "").strip()
    if not reply:
        raise InvalidInput("请写明整改情况。", code="reply_required")
    with transaction.atomic():
        notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.state != RectificationNotice.State.OPEN:
            raise Conflict("该整改通知不在待整改状态。", code="state")
        notice.state = RectificationNotice.State.REPLIED
        notice.reply, notice.replied_at, notice.replied_by = reply, timezone.now(), actor
        notice.save()
        ledger.append(
            actor=actor,
            action="rectification.reply",
            obj=notice,
            agency_id=notice.agency_id,
            payload={"reply": reply, "late": timezone.localdate() > notice.due_on},
        )
    return notice


def notice_review(
    *, actor, notice: RectificationNotice, accept: bool, comment: str = ""
) -> RectificationNotice:
    """The 司法局 closes (销号) a replied notice, or sends it back with a comment."""
    require_evaluator(actor, notice.agency)
    comment = (comment or "").strip()
    if not accept and not comment:
        raise InvalidInput("退回须说明理由。", code="comment_required")
    with transaction.atomic():
        notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.state != RectificationNotice.State.REPLIED:
            raise Conflict("机关尚未回复整改情况，不能审核。", code="state")
        notice.review_comment = comment
        if accept:
            notice.state = RectificationNotice.State.CLOSED
            notice.closed_at, notice.closed_by = timezone.now(), actor
        else:
            notice.state = RectificationNotice.State.OPEN
        notice.save()
        ledger.append(
            actor=actor,
            action="rectification.close" if accept else "rectification.return",
            obj=notice,
            agency_id=notice.agency_id,
            payload={"comment": comment},
        )
    return notice


# --- Satisfaction survey (SUP-03) ---------------------------------------------------------


def satisfaction_submit(*, disclosure, rating: int, comment: str = "") -> SatisfactionResponse:
    """A portal visitor rates a published decision; anonymous."""
    from zhifa.disclosures.models import Disclosure

    if disclosure.status != Disclosure.Status.PUBLISHED:
        raise NotFound("公示信息不存在或已撤下。")
    if rating not in SatisfactionResponse.Rating.values:
        raise InvalidInput("请选择满意程度。", code="rating")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput("意见不能超过 500 字。", code="comment")
    with transaction.atomic():
        response = SatisfactionResponse.objects.create(
            disclosure=disclosure, agency_id=disclosure.agency_id, rating=rating, comment=comment
        )
        ledger.append(
            actor=None,
            action="satisfaction.submit",
            obj=response,
            agency_id=disclosure.agency_id,
            payload={"disclosure": disclosure.pk, "rating": rating},
        )
    return response


# --- 备案 (SUP-04) -------------------------------------------------------------------------


def filing_generated_content(agency: Agency, kind: str) -> str:
    """The content of a filing made from the platform's own lists."""
    if kind == Filing.Kind.AV_LIST:
        from zhifa.media.models import MediaRequirement

        lines = MediaRequirement.objects.filter(agency=agency).order_by("pk")
        rows = [
            "\t".join(
                [
                    line.get_action_kind_display() if line.action_kind else "全部",
                    line.get_stage_display(),
                    line.place,
                    line.content,
                    line.get_mode_display(),
                ]
            )
            for line in lines
        ]
        return "\n".join(["执法类别\t执法环节\t场所\t记录内容\t记录方式", *rows]) if rows else ""
    if kind == Filing.Kind.ROSTER:
        from zhifa.accounts.models import Officer

        reviewers = Officer.objects.filter(
            agency=agency, is_active=True, role_grants__role=Role.REVIEWER
        ).distinct()
        rows = [f"{o.name}\t{o.post}\t{o.unit.name if o.unit else ''}" for o in reviewers]
        return "\n".join(["姓名\t职务\t所在机构", *rows]) if rows else ""
    return ""


def filing_submit(*, actor, agency: Agency, kind: str, title: str, upload=None) -> Filing:
    """An agency files a document with the 司法局: an attached file, or for the
    AV list and the reviewer roster the lists the platform holds."""
    require_agency_leader(actor, agency)
    if kind not in Filing.Kind.values:
        raise InvalidInput("备案类型不正确。", code="kind")
    title = (title or "").strip() or Filing.Kind(kind).label
    stored, content = None, ""
    if upload is not None:
        from zhifa.ledger.services import file_store

        stored = file_store(
            actor=actor,
            stream=upload,
            original_name=getattr(upload, "name", "filing"),
            content_type=getattr(upload, "content_type", ""),
        )
    else:
        content = filing_generated_content(agency, kind)
        if not content:
            raise InvalidInput(
                "请上传备案文件（平台中没有可据以生成的清单）。", code="file_required"
            )
    with transaction.atomic():
        filing = Filing.objects.create(
            agency=agency, kind=kind, title=title, file=stored, content=content, filed_by=actor
        )
        ledger.append(
            actor=actor,
            action="filing.submit",
            obj=filing,
            agency_id=agency.pk,
            payload={
                "kind": kind,
                "title": title,
                "file": stored.sha256 if stored else None,
                "generated": not stored,
            },
        )
    return filing


def filing_decide(*, actor, filing: Filing, accept: bool, comment: str = "") -> Filing:
    require_evaluator(actor, filing.agency)
    comment = (comment or "").strip()
    if not accept and not comment:
        raise InvalidInput("退回须写明审查意见。", code="comment_required")
    with transaction.atomic():
        filing = Filing.objects.select_for_update().get(pk=filing.pk)
        if filing.state != Filing.State.FILED:
            raise Conflict("该备案已审查。", code="state")
        filing.state = Filing.State.ACCEPTED if accept else Filing.State.RETURNED
        filing.comment, filing.decided_at, filing.decided_by = comment, timezone.now(), actor
        filing.save()
        ledger.append(
            actor=actor,
            action="filing.accept" if accept else "filing.return",
            obj=filing,
            agency_id=filing.agency_id,
            payload={"comment": comment},
        )
    return filing


# --- 统计年报 (PUB-11) ---------------------------------------------------------------------


def annual_deadlines(year: int) -> tuple[date, date]:
    """When ``year``'s report is due: filed with the 司法局, published."""
    return (
        date(year + 1, 1, settings.ZHIFA_SUPERVISION_ANNUAL_FILE_BY_DAY),
        date(year + 1, 1, settings.ZHIFA_SUPERVISION_ANNUAL_PUBLISH_BY_DAY),
    )


def annual_report_file(*, actor, agency: Agency, year: int) -> AnnualReport:
    """Generate ``year``'s report from case data, store its PDF and file it."""
    from zhifa.ledger.services import file_store
    from zhifa.supervision.annual import render_pdf
    from zhifa.supervision.stats import annual_stats

    require_agency_leader(actor, agency)
    if not 2000 <= year < timezone.localdate().year:
        raise InvalidInput("只能报送已结束年度的统计年报。", code="year")
    if AnnualReport.objects.filter(agency=agency, year=year).exists():
        raise Conflict(f"{year} 年度统计年报已报送。", code="already_filed")
    title = f"{agency.name} {year}年度行政执法统计年报"
    stats = annual_stats(Agency.objects.filter(pk=agency.pk), year, title=title)
    stored = file_store(
        actor=actor,
        stream=io.BytesIO(render_pdf(stats)),
        original_name=f"{title}.pdf",
        content_type="application/pdf",
    )
    totals = stats.totals
    summary = {
        "started": totals.started,
        "decided": totals.decided,
        "closed": totals.closed,
        "fine_count": totals.fine_count,
        "fine_total": str(totals.fine_total),
    }
    with transaction.atomic():
        report = AnnualReport.objects.create(
            agency=agency, year=year, pdf=stored, summary=summary, filed_by=actor
        )
        ledger.append(
            actor=actor,
            action="annual_report.file",
            obj=report,
            agency_id=agency.pk,
            payload={"year": year, "pdf": stored.sha256, **summary},
        )
    return report


def annual_report_publish(*, actor, report: AnnualReport):
    """Hand the filed report to the disclosure pipeline: an ex-ante item is
    prepared and submitted; the agency's legal unit publishes it on the portal."""
    from zhifa.disclosures.models import Disclosure
    from zhifa.disclosures.services import DraftInput, disclosure_prepare, disclosure_submit

    require_agency_leader(actor, report.agency)
    if report.disclosure_id is not None:
        raise Conflict("该年报已提交公开。", code="already_published")
    s = report.summary
    body = "\n".join(
        [
            f"统计期间：{report.year}年1月1日至{report.year}年12月31日。",
            f"立案（受理）{s['started']} 件，作出决定 {s['decided']} 件，办结 {s['closed']} 件。",
            f"作出罚没款决定 {s['fine_count']} 件，罚没款金额 {s['fine_total']} 元。",
        ]
    )
    with transaction.atomic():
        disclosure = disclosure_prepare(
            actor=actor,
            agency=report.agency,
            draft=DraftInput(
                kind=Disclosure.Kind.EX_ANTE,
                topic=Disclosure.Topic.OTHER,
                title=f"{report.agency.name}{report.year}年度行政执法统计年报",
                body=body,
            ),
        )
        disclosure_submit(actor=actor, disclosure=disclosure)
        report.disclosure = disclosure
        report.save(update_fields=["disclosure"])
        ledger.append(
            actor=actor,
            action="annual_report.publish",
            obj=report,
            agency_id=report.agency_id,
            payload={"disclosure": disclosure.pk},
        )
    return report


def annual_pending(today: date | None = None) -> list[tuple[Agency, int, str, date]]:
    """From 1 January to each deadline: the agencies that have not yet filed
    or published last year's report, with what is missing and by when."""
    from zhifa.disclosures.models import Disclosure

    today = today or timezone.localdate()
    year = today.year - 1
    file_by, publish_by = annual_deadlines(year)
    if today > publish_by:
        return []
    reports = {
        r.agency_id: r for r in AnnualReport.objects.filter(year=year).select_related("disclosure")
    }
    out = []
    for agency in Agency.objects.exclude(kind=Agency.Kind.SUPERVISORY).order_by("pk"):
        report = reports.get(agency.pk)
        if report is None:
            if today <= file_by:
                out.append((agency, year, AnnualReminder.Kind.FILE, file_by))
            out.append((agency, year, AnnualReminder.Kind.PUBLISH, publish_by))
        elif report.disclosure is None or report.disclosure.status != Disclosure.Status.PUBLISHED:
            out.append((agency, year, AnnualReminder.Kind.PUBLISH, publish_by))
    return out


def annual_reminders_send(*, today: date | None = None) -> list[AnnualReminder]:
    """The daily job: record today's reminders (once a day per agency and item)."""
    today = today or timezone.localdate()
    sent = []
    with transaction.atomic():
        for agency, year, kind, due_on in annual_pending(today):
            reminder, created = AnnualReminder.objects.get_or_create(
                agency=agency, year=year, kind=kind, sent_on=today, defaults={"due_on": due_on}
            )
            if created:
                sent.append(reminder)
        if sent:
            ledger.append(
                actor=None,
                action="annual_report.remind",
                payload={"on": today, "reminders": [[r.agency_id, r.kind] for r in sent]},
            )
    return sent


# --- Dashboard snapshots (SUP-01) ---------------------------------------------------------


def _snapshot_store(*, scope, found: dashboard.Figures) -> DashboardSnapshot:
    # Only the write is in the transaction: the count may take seconds, and on
    # SQLite (IMMEDIATE transactions) it would hold the write lock all along.
    values = {
        "computed_at": found.computed_at,
        "seconds": found.seconds,
        "payload": dashboard.payload(found),
    }
    try:
        with transaction.atomic():
            snapshot, _created = DashboardSnapshot.objects.update_or_create(
                **snapshot_key(scope), defaults=values
            )
    except IntegrityError:
        # Another reader stored the scope's first snapshot at the same moment
        # (PostgreSQL): it exists now, so this one replaces it.
        with transaction.atomic():
            snapshot, _created = DashboardSnapshot.objects.update_or_create(
                **snapshot_key(scope), defaults=values
            )
    return snapshot


def dashboard_snapshot_refresh(*, scope) -> DashboardSnapshot:
    """Count ``scope``'s dashboard live and store it, replacing the scope's
    previous snapshot."""
    return _snapshot_store(scope=scope, found=dashboard.figures(scope))


def dashboard_snapshots_refresh() -> list[DashboardSnapshot]:
    """Refresh every scope a dashboard can be shown for (``dashboard_readers``):
    each supervised region, then each agency."""
    return [dashboard_snapshot_refresh(scope=scope) for scope in dashboard_readers()]


def dashboard_figures(*, scope) -> dashboard.Figures:
    """The figures the dashboard page shows: the scope's snapshot while it is
    younger than ``ZHIFA_SUPERVISION_SNAPSHOT_SECONDS``, else counted live and
    stored for the next view; always live when the setting is 0."""
    max_age = settings.ZHIFA_SUPERVISION_SNAPSHOT_SECONDS
    if max_age <= 0:
        return dashboard.figures(scope)
    snapshot = dashboard_snapshot(scope)
    if snapshot is not None and timezone.now() - snapshot.computed_at < timedelta(seconds=max_age):
        found = dashboard.from_payload(
            scope, snapshot.payload, computed_at=snapshot.computed_at, seconds=snapshot.seconds
        )
        if found is not None:
            return found
    found = dashboard.figures(scope)
    _snapshot_store(scope=scope, found=found)
    return found
