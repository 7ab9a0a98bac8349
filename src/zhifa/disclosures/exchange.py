"""Exchange formats of published items (PUB-12): the 信用中国 双公示 layouts for
行政处罚 and 行政许可 (CSV and XLSX) and the Atom feed. Only public fields are
read, so nothing here can show what the redaction hid."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import feedgenerator, timezone

from zhifa.core.excel import workbook_response
from zhifa.disclosures.models import Disclosure

PENALTY_HEADERS = (
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
)
LICENCE_HEADERS = (
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可内容",
    "许可决定日期",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
)
# 信用中国's party categories.
PARTY_CATEGORY = {
    "legal": "法人及非法人组织",
    "other_org": "法人及非法人组织",
    "individual_business": "个体工商户",
    "natural": "自然人",
}
# 行政处罚法 第九条 kinds, found in the decision's conclusion.
PENALTY_KINDS = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
)


def _wan(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"{(Decimal(amount) / 10000).quantize(Decimal('0.000001'))}"


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def penalty_kinds(item: Disclosure) -> str:
    found = [kind for kind in PENALTY_KINDS if kind in item.conclusion]
    if not found and item.fine_amount:
        found = ["罚款"]
    return ";".join(found) or "其他"


def _note(item: Disclosure) -> str:
    notes = []
    if item.explanation:
        notes.append(f"变更说明：{item.explanation}")
    if item.is_late:
        notes.append("逾期公开")
    return "；".join(notes)


def penalty_row(item: Disclosure) -> list[str]:
    agency = item.agency
    return [
        item.party_name,
        PARTY_CATEGORY.get(item.party_kind, ""),
        item.party_credit_code,
        item.party_representative,
        item.document_number,
        item.violation_type,
        item.facts,
        item.basis,
        penalty_kinds(item),
        item.conclusion,
        _wan(item.fine_amount),
        _wan(item.confiscated_amount),
        item.licence,
        _day(item.decided_on),
        _day(item.display_until),
        _day(item.display_until),
        agency.name,
        agency.credit_code,
        agency.name,
        agency.credit_code,
        _note(item),
    ]


def licence_row(item: Disclosure) -> list[str]:
    agency = item.agency
    return [
        item.party_name,
        PARTY_CATEGORY.get(item.party_kind, ""),
        item.party_credit_code,
        item.party_representative,
        item.title,
        item.document_number,
        "普通",
        item.conclusion or item.body,
        _day(item.decided_on),
        _day(item.display_until),
        agency.name,
        agency.credit_code,
        agency.name,
        agency.credit_code,
        _note(item),
    ]


LAYOUTS = {
    "penalty": ("行政处罚", PENALTY_HEADERS, penalty_row),
    "licence": ("行政许可", LICENCE_HEADERS, licence_row),
}


class _Echo:
    def write(self, value):
        return value


def _csv_lines(headers, rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel opens the UTF-8 file as such
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(row)


def export_response(items, *, layout: str, fmt: str) -> HttpResponse:
    title, headers, row = LAYOUTS[layout]
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"双公示_{title}_{stamp}.{fmt}"
    rows = (row(item) for item in items.iterator(chunk_size=500))
    if fmt == "xlsx":
        return workbook_response(filename=filename, title=title, headers=headers, rows=rows)
    response = StreamingHttpResponse(
        _csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def csv_text(items, *, layout: str = "penalty") -> str:
    _, headers, row = LAYOUTS[layout]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for item in items:
        writer.writerow(row(item))
    return out.getvalue()


def atom_feed(request, items) -> HttpResponse:
    feed = feedgenerator.Atom1Feed(
        title="行政执法决定公示",
        link=request.build_absolute_uri(reverse("portal:decision-list")),
        description="经法制审核后公示的行政执法决定",
        language="zh-CN",
        feed_url=request.build_absolute_uri(),
    )
    for item in items:
        link = request.build_absolute_uri(reverse("portal:decision-detail", args=[item.pk]))
        summary = "；".join(
            part
            for part in (
                item.agency.name,
                item.party_name,
                item.get_action_kind_display(),
                item.conclusion,
            )
            if part
        )
        feed.add_item(
            title=item.title,
            link=link,
            description=summary,
            unique_id=link,
            pubdate=item.published_at,
            updateddate=item.published_at,
            author_name=item.agency.name,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
