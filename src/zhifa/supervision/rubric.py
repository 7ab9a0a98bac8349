"""The 案卷评查 rubric (SUP-02, REC-13): the default items and their automatic
pre-checks.

The default rubric follows the record-keeping requirements (REC-01 … REC-10)
and the reasons requirements (RSN-01 … RSN-04), 100 points in all. It is data
(``RubricItem``), seeded by migration 0003 from ``DEFAULT_RUBRIC``; the 司法局
may change points or switch items off (``services.rubric_item_update``).

A pre-check reads what the platform already knows about the case file and
proposes full points or none, with a note; items without one are left to the
evaluator (proposed at full points). Evaluators confirm or adjust every item.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.rules import Facts, facts

# (code, requirement, title, points, check)
DEFAULT_RUBRIC: list[tuple[str, str, str, int, str]] = [
    ("R01", "REC-01", "执法环节完整，程序适用正确", 6, ""),
    ("R02", "REC-02", "启动依据充分；紧急先行启动按时补办批准", 6, "emergency"),
    ("R03", "REC-03", "执法人员不少于两名、持证执法，告知权利并听取陈述申辩", 8, "officers"),
    ("R04", "REC-04", "法定环节全过程音像记录齐全", 10, "media_missing"),
    ("R05", "REC-05", "音像记录在规定时限内存储", 5, "media_late"),
    ("R06", "REC-06", "审查决定环节记录完整（处理意见、法制审核、事先告知）", 8, "decision_record"),
    ("R06B", "REC-06", "重大执法决定经法制审核", 7, "major_review"),
    ("R07", "REC-07", "决定书载明事实、证据、依据、裁量、救济途径", 8, ""),
    ("R08", "REC-08", "送达方式合法，送达记录完整", 6, "service_record"),
    ("R09", "REC-09", "执行记录完整（自觉履行、强制执行或申请法院执行）", 4, ""),
    ("R10", "REC-10", "按时立卷归档，卷内材料目录完整", 8, "archive_late"),
    ("S01", "RSN-01", "说明事实认定、证据采信、依据选择、裁量基准四类理由", 8, "reasons_present"),
    ("S02", "RSN-02", "应详细说理的决定已详细说理", 4, ""),
    ("S03", "RSN-03", "事先告知说明理由，对当事人意见逐一回应", 4, ""),
    ("S04", "RSN-04", "说理不含糊、不矛盾，通过平台说理校验", 8, "reasons_check"),
]

Result = tuple[bool, str]


def _officers(case: Case, f: Facts) -> Result:
    n = len(f.assignments)
    return n >= 2, f"承办执法人员 {n} 名"


def _emergency(case: Case, f: Facts) -> Result:
    from zhifa.cases.selectors import overdue_filter

    if not case.is_emergency:
        return True, "非紧急先行启动"
    late = Case.objects.filter(pk=case.pk).filter(overdue_filter("emergency")).exists()
    return (not late), ("未按时补办批准" if late else "已按时补办批准")


def _media_missing(case: Case, f: Facts) -> Result:
    from zhifa.media.rules import MISSING, missing_media

    missing = missing_media(f)
    if not missing:
        return True, "应录音录像的记录均已附音像记录"
    return False, "；".join(f"{r.kind_label}{MISSING[mode]}" for r, mode in missing)[:480]


def _media_late(case: Case, f: Facts) -> Result:
    from zhifa.media.models import MediaItem

    late = MediaItem.objects.filter(case=case, is_late=True).count()
    return late == 0, f"逾期存储的音像记录 {late} 件"


def _decision_record(case: Case, f: Facts) -> Result:
    found = f.has("decision") or f.has("onspot_decision")
    return found, "有审查决定记录" if found else "无审查决定记录"


def _major_review(case: Case, f: Facts) -> Result:
    from zhifa.cases.major import is_major
    from zhifa.reviews.models import LegalReview

    if not is_major(case):
        return True, "非重大执法决定"
    reviewed = LegalReview.objects.filter(submission__case=case).exists()
    return reviewed, "重大执法决定已经法制审核" if reviewed else "重大执法决定未见法制审核意见"


def _service_record(case: Case, f: Facts) -> Result:
    found = any(kind.startswith("delivery_") for kind in f.by_kind)
    return found, "有送达记录" if found else "无送达记录"


def archive_late(case: Case, today=None) -> bool:
    """Archived after its due date, or still not archived past it (REC-10)."""
    if case.archive_due_on is None:
        return False
    if case.archived_at is not None:
        return timezone.localdate(case.archived_at) > case.archive_due_on
    return (today or timezone.localdate()) > case.archive_due_on


def _archive_late(case: Case, f: Facts) -> Result:
    if case.archive_due_on is None:
        return True, "尚未到归档期限"
    late = archive_late(case)
    return (not late), f"归档期限 {case.archive_due_on:%Y-%m-%d}" + ("，逾期" if late else "")


def _reasons_present(case: Case, f: Facts) -> Result:
    from zhifa.reasons.selectors import exemption_active, reasons_latest

    if reasons_latest(case) is not None:
        return True, "已按四类理由说明"
    if exemption_active(case) is not None:
        return True, "依规定免予书面说理"
    return False, "未见结构化的说明理由"


def _reasons_check(case: Case, f: Facts) -> Result:
    from zhifa.reasons.selectors import case_findings, reasons_latest

    if reasons_latest(case) is None:
        return False, "无说明理由可供校验"
    blocking = [x for x in case_findings(case, with_others=False) if x.blocking]
    if not blocking:
        return True, "说理校验通过"
    return False, "；".join(x.message for x in blocking)[:480]


CHECKS: dict[str, Callable[[Case, Facts], Result]] = {
    "officers": _officers,
    "emergency": _emergency,
    "media_missing": _media_missing,
    "media_late": _media_late,
    "decision_record": _decision_record,
    "major_review": _major_review,
    "service_record": _service_record,
    "archive_late": _archive_late,
    "reasons_present": _reasons_present,
    "reasons_check": _reasons_check,
}


def precheck(case: Case, checks: list[str]) -> dict[str, Result]:
    """The automatic findings of ``checks`` on ``case``, read once."""
    f = facts(case)
    return {key: CHECKS[key](case, f) for key in checks if key in CHECKS}
