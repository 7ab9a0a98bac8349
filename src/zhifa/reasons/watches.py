"""The watch item of written reasons on the supervisor dashboard (SUP-01):
requests for written reasons not answered by their deadline (RSN-05).
Imported from ``ReasonsConfig.ready()``.

The deadline (``ZHIFA_REASONS_REQUEST_DAYS`` working days from the request)
is stored on the request when it is registered, so this is one database filter.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from zhifa.core.listing import Column
from zhifa.reasons.models import ReasonsRequest
from zhifa.supervision.watch import case_url, watch


def requests_past_deadline(scope, today=None) -> QuerySet[ReasonsRequest]:
    today = today or timezone.localdate()
    return ReasonsRequest.objects.filter(
        case__agency__in=scope.agencies, answered_on__isnull=True, deadline__lt=today
    ).select_related("case", "case__agency")


def _request_url(request) -> str:
    return reverse("reasons:request-answer", args=[request.pk])


@watch(
    "reasons_requests_overdue",
    label="逾期未书面说明理由的申请",
    requirement="RSN-05",
    columns=[
        Column("案件编号", "case.number", sort="case__number", link=lambda r: case_url(r.case)),
        Column("执法主体", "case.agency.name", sort="case__agency__name"),
        Column("申请人", "requester", sort="requester", link=_request_url),
        Column("申请渠道", lambda r: r.get_channel_display()),
        Column("申请日期", "requested_on", sort="requested_on"),
        Column("答复期限", "deadline", sort="deadline"),
    ],
    link=_request_url,
    search_fields=("case__number", "case__title", "requester"),
    default_sort="deadline",
    order=100,
)
def watch_reasons_requests_overdue(scope) -> QuerySet[ReasonsRequest]:
    return requests_past_deadline(scope)
