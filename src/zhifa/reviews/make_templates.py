"""Generate the legal review's document templates (REV-07, REV-08).

Run ``python -m zhifa.reviews.make_templates`` after changing this file; it
writes ``templates_docx/review_opinion.docx`` (重大执法决定法制审核意见书, made in
two copies) and ``templates_docx/deliberation_minutes.docx`` (集体讨论笔录).
The output is reproducible, with the layout helpers of the instruments.
"""

from __future__ import annotations

import io
from pathlib import Path

from zhifa.instruments.make_templates import (
    _new_document,
    _normalised_zip,
    body,
    control,
    form_table,
    heading,
    labelled,
    line,
    section_title,
)

OUT_DIR = Path(__file__).resolve().parent / "templates_docx"


def review_opinion(doc) -> None:
    heading(doc, "重大执法决定法制审核意见书", number="{{ copy }}")
    form_table(
        doc,
        [
            ("案件编号", "{{ case.number }}"),
            ("案件名称", "{{ case.title }}"),
            ("当事人", "{{ parties }}"),
            ("送审轮次", "第{{ round }}轮（{{ kind }}）"),
            ("送审人", "{{ submitted_by }}　{{ submitted_at }}"),
            ("重大执法决定依据", "{{ reasons }}"),
            ("材料完备日期", "{{ complete_on }}"),
        ],
    )
    section_title(doc, "审核要点")
    control(doc, "{%p for f in findings %}")
    line(doc, ("{{ f.point }}：", True), "{{ f.finding }}。{{ f.note }}")
    control(doc, "{%p endfor %}")
    section_title(doc, "法律顾问、公职律师意见及复核情况")
    body(doc, "{{ adviser_opinions }}")
    section_title(doc, "审核意见：{{ opinion }}")
    body(doc, "{{ text }}")
    labelled(doc, "审核人员", "{{ reviewer }}")
    labelled(doc, "出具时间", "{{ decided_at }}")
    line(doc, "本意见书一式两份，一份连同案卷材料回复执法机构，一份由法制机构存档。")


def deliberation_minutes(doc) -> None:
    heading(doc, "集体讨论笔录", number="案件编号：{{ case.number }}")
    form_table(
        doc,
        [
            ("案件名称", "{{ case.title }}"),
            ("时间", "{{ held_at }}"),
            ("地点", "{{ place }}"),
            ("主持人", "{{ chair }}"),
            ("参加人员", "{{ participant_names }}"),
            ("列席人员", "{{ attendees }}"),
            ("记录人", "{{ recorder }}"),
        ],
    )
    section_title(doc, "承办机构汇报")
    body(doc, "{{ handler_report }}")
    section_title(doc, "承办机构处理意见")
    body(doc, "{{ proposal }}")
    section_title(doc, "法制审核意见")
    body(doc, "{{ review_opinion }}")
    section_title(doc, "参加人员意见")
    control(doc, "{%p for p in participants %}")
    line(doc, ("{{ p.name }}（{{ p.post }}）：", True), "{{ p.view }}（{{ p.vote }}）")
    control(doc, "{%p endfor %}")
    section_title(doc, "集体讨论决定（赞成{{ votes_for }}人，反对{{ votes_against }}人）")
    body(doc, "{{ decision }}")
    section_title(doc, "与法制审核意见不一致的情况")
    body(doc, "{{ difference }}")
    section_title(doc, "参加人员签名")
    control(doc, "{%p for p in participants %}")
    line(doc, "{{ p.name }}　已签名（{{ p.signed_at }}）")
    control(doc, "{%p endfor %}")


def materials_notice(doc) -> None:
    """送审材料补正通知书 (first time) or 不予受理决定书 (after the supplement), REV-04."""
    heading(doc, "{{ title }}", number="案件编号：{{ case.number }}")
    line(doc, "{{ unit }}：")
    body(
        doc,
        "你单位于{{ submitted_at }}报送的“{{ case.title }}”重大执法决定法制审核材料，{{ lead }}",
    )
    control(doc, "{%p for m in missing %}")
    line(doc, "{{ loop.index }}. {{ m }}")
    control(doc, "{%p endfor %}")
    body(doc, "{{ closing }}")
    labelled(doc, "审核人员", "{{ reviewer }}")
    labelled(doc, "日期", "{{ issued_on }}")


LAYOUTS = {
    "review_opinion": review_opinion,
    "deliberation_minutes": deliberation_minutes,
    "materials_notice": materials_notice,
}


def build(kind: str) -> bytes:
    doc = _new_document()
    LAYOUTS[kind](doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _normalised_zip(raw.getvalue())


def main() -> None:
    OUT_DIR.mkdir(exist_ok=True)
    for kind in LAYOUTS:
        path = OUT_DIR / f"{kind}.docx"
        data = build(kind)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"写入 {path.name}")


if __name__ == "__main__":
    main()
