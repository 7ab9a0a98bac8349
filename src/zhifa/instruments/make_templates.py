"""Generate the default instrument templates (统一格式文本, REC-14).

Run ``python -m zhifa.instruments.make_templates`` after changing this file;
it writes ``templates_docx/<kind>.docx``, which are committed and shipped.
The output is byte-for-byte reproducible (fixed document dates and zip
timestamps), so regenerating an unchanged layout changes no file and issues no
new template version.

The layout follows the usual form of administrative-penalty instruments: A4,
the agency's name and the instrument's title centred at the top, the 文号
below, the body in a serif CJK face, the agency, seal and date at the end. The
fixed wording (规范用语) is part of the template; what varies comes from the
case through the docxtpl fields listed in ``zhifa.instruments.context``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
BODY_PT = 12  # 小四
OUT_DIR = Path(__file__).resolve().parent / "templates_docx"
FIXED_TIME = datetime(2026, 1, 1)


# --- Low-level helpers -------------------------------------------------------------------


def _fonts(rpr, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _run(paragraph, text: str, *, bold=False, size=None, font=SERIF, spacing=None):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    _fonts(run._element.get_or_add_rPr(), font)
    if spacing:
        space = OxmlElement("w:spacing")
        space.set(qn("w:val"), str(spacing))
        run._element.get_or_add_rPr().append(space)
    return run


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``paragraph``."""
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        _fonts(run._element.get_or_add_rPr(), SERIF)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        else:
            tag = "w:instrText" if text == code else "w:t"
            element = OxmlElement(tag)
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} " if tag == "w:instrText" else text
            run._element.append(element)
    run = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    run._element.append(char)


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(1.5)

    # The defaults every style inherits, then Normal itself.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, SERIF)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), SERIF)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "第 ", size=9)
    _field(footer, "PAGE")
    _run(footer, " 页 共 ", size=9)
    _field(footer, "NUMPAGES")
    _run(footer, " 页", size=9)

    props = doc.core_properties
    props.author = "Zhifa"
    props.last_modified_by = "Zhifa"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


def heading(doc, title: str, *, number: str | None = "{{ number }}") -> None:
    """Agency name, title and (if any) 文号, centred at the top."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "{{ agency.name }}", size=18, font=SANS)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(6)
    _run(p, title, bold=True, size=22, font=SANS, spacing=20)
    if number:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(12)
        _run(p, number)


def line(doc, *parts, indent: bool = False, align=None):
    """A paragraph of (text, bold) parts or plain strings."""
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    if align is not None:
        p.alignment = align
    for part in parts:
        text, bold = (part, False) if isinstance(part, str) else part
        _run(p, text, bold=bold)
    return p


def labelled(doc, label: str, value: str):
    return line(doc, (f"{label}：", True), value)


def section_title(doc, text: str):
    p = line(doc, (text, True))
    p.paragraph_format.space_before = Pt(6)
    return p


def body(doc, text: str):
    return line(doc, text, indent=True)


def control(doc, statement: str) -> None:
    """A docxtpl paragraph tag (``{%p … %}``), which renders to nothing."""
    doc.add_paragraph().add_run(statement)


def parties_block(doc) -> None:
    control(doc, "{%p for p in parties %}")
    labelled(doc, "当事人", "{{ p.name }}（{{ p.kind }}）")
    labelled(doc, "{{ p.id_label }}", "{{ p.id_number }}")
    labelled(doc, "法定代表人（负责人）", "{{ p.representative }}")
    labelled(doc, "住所（地址）", "{{ p.address }}")
    labelled(doc, "联系电话", "{{ p.phone }}")
    control(doc, "{%p endfor %}")


def closing(doc, *, note: str | None = None) -> None:
    """Agency name, seal placeholder and date, right-aligned."""
    doc.add_paragraph()
    for text in ("{{ agency.name }}", "{{ seal }}", "{{ issued_on }}"):
        line(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if note:
        p = line(doc, note)
        p.paragraph_format.space_before = Pt(12)
        for run in p.runs:
            run.font.size = Pt(10.5)


def sign_lines(doc, *labels: str) -> None:
    doc.add_paragraph()
    for label in labels:
        line(doc, (f"{label}：", True), "________________　　日期：____年__月__日")


def signatures_note(doc) -> None:
    labelled(doc, "签名情况", "{{ record.signers }}")


def form_table(doc, rows: list[tuple[str, str]]) -> None:
    """A two-column form (审批表, 送达回证) with labels on the left."""
    widths = (Cm(4.0), Cm(11.6))
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice follows
    for label, value in rows:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width  # each cell, which Word follows
        label_p = cells[0].paragraphs[0]
        label_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(label_p, label, bold=True)
        for i, chunk in enumerate(value.split("\n")):
            p = cells[1].paragraphs[0] if i == 0 else cells[1].add_paragraph()
            _run(p, chunk)


PARTIES_INLINE = (
    "{% for p in parties %}{{ p.name }}（{{ p.id_label }}：{{ p.id_number }}；"
    "地址：{{ p.address }}）{% if not loop.last %}；{% endif %}{% endfor %}"
)


# --- The templates -------------------------------------------------------------------------


def filing_approval(doc) -> None:
    heading(doc, "立案审批表", number="案件编号：{{ case.number }}")
    form_table(
        doc,
        [
            ("案由", "{{ r.cause }}"),
            ("执法事项", "{{ case.matter }}（{{ case.matter_code }}）"),
            (
                "案件来源",
                "{{ case.source }}{% if case.source_detail %}：{{ case.source_detail }}{% endif %}",
            ),
            ("当事人", PARTIES_INLINE),
            ("案件来源及基本情况", "{{ r.facts }}"),
            ("承办人员", "{{ officer_names }}"),
            ("承办人意见", "{{ r.handler_opinion }}"),
            ("承办机构意见", "{{ r.unit_opinion }}"),
            (
                "负责人审批意见",
                "{{ r.leader_opinion }}\n审批人：{{ r.approved_by }}　　{{ record.occurred_on }}",
            ),
        ],
    )
    signatures_note(doc)


def onsite_inspection(doc) -> None:
    heading(doc, "现场笔录", number=None)
    labelled(doc, "案件名称", "{{ case.title }}（案件编号：{{ case.number }}）")
    labelled(doc, "检查时间", "{{ record.occurred_at }}")
    labelled(doc, "检查地点", "{{ record.place }}")
    labelled(doc, "当事人", PARTIES_INLINE)
    labelled(doc, "执法人员及执法证件编号", "{{ officer_names }}")
    labelled(doc, "在场人员", "{{ r.present }}")
    body(
        doc,
        "执法人员向当事人出示了执法证件，表明了身份，说明了检查的依据和目的，"
        "告知当事人依法享有陈述、申辩和申请回避的权利及如实提供情况、配合检查的义务。"
        "当事人对执法人员的身份无异议，不申请回避。",
    )
    section_title(doc, "现场情况：")
    body(doc, "{{ r.situation }}")
    section_title(doc, "发现的证据：")
    body(doc, "{{ r.evidence_found }}")
    body(doc, "以上笔录已交当事人核对（或已向当事人宣读），当事人确认与现场情况相符。")
    signatures_note(doc)
    sign_lines(doc, "当事人签名", "执法人员签名", "见证人签名")


def interview(doc) -> None:
    heading(doc, "询问笔录", number=None)
    labelled(doc, "案件名称", "{{ case.title }}（案件编号：{{ case.number }}）")
    labelled(doc, "当事人", "{{ party_names }}")
    labelled(doc, "询问时间", "{{ record.occurred_at }}")
    labelled(doc, "询问地点", "{{ record.place }}")
    labelled(doc, "被询问人", "{{ r.interviewee }}")
    labelled(doc, "身份证件", "{{ r.interviewee_id }}")
    labelled(doc, "询问人及执法证件编号", "{{ officer_names }}")
    body(
        doc,
        "我们是{{ agency.name }}的执法人员，已向你出示执法证件。现依法就有关问题进行调查询问，"
        "请你如实回答。你依法享有陈述和申辩的权利；如认为执法人员与本案有直接利害关系"
        "或者有其他关系可能影响公正执法的，有权申请回避。你是否申请回避？",
    )
    section_title(doc, "询问内容：")
    body(doc, "{{ r.questions_answers }}")
    body(doc, "以上笔录我已看过（或已向我宣读），与我所说相符。")
    signatures_note(doc)
    sign_lines(doc, "被询问人签名", "询问人签名", "记录人签名")


def evidence_preservation(doc) -> None:
    heading(doc, "先行登记保存证据通知书")
    line(doc, ("{{ party_names }}：", True))
    body(
        doc,
        "本机关在调查{{ case.title }}过程中，因{{ r.reason }}，在证据可能灭失或者以后难以取得的"
        "情况下，经本机关负责人（{{ r.approved_by }}）批准，依据《中华人民共和国行政处罚法》"
        "第五十六条的规定，决定对你（单位）的下列物品予以先行登记保存：",
    )
    section_title(doc, "先行登记保存物品清单：")
    body(doc, "{{ r.items }}")
    labelled(doc, "保存地点", "{{ r.location }}")
    body(
        doc,
        "在先行登记保存期间，你（单位）或者有关人员不得损毁、销毁或者转移上述物品。"
        "本机关将在七日内依法作出处理决定。",
    )
    labelled(doc, "执法人员及执法证件编号", "{{ officer_names }}")
    closing(doc)
    sign_lines(doc, "当事人签名")
    signatures_note(doc)


def prior_notice(doc) -> None:
    """事先告知书: the reasons of the proposed decision (RSN-03), structured where the
    case has structured reasons (``reasons.structured``), else the record's text."""
    heading(doc, "行政处罚事先告知书")
    line(doc, ("{{ party_names }}：", True))
    body(
        doc,
        "本机关于{{ case.started_on }}对{{ case.title }}立案调查。"
        "经调查，现将本机关拟作出行政处罚的事实、理由、依据及处罚内容告知如下：",
    )
    section_title(doc, "一、违法事实")
    control(doc, "{%p if reasons.structured %}")
    facts_list(doc)
    control(doc, "{%p else %}")
    body(doc, "{{ r.facts }}")
    control(doc, "{%p endif %}")
    section_title(doc, "二、处罚理由")
    control(doc, "{%p if reasons.structured %}")
    evidence_list(doc)
    discretion_block(doc)
    control(doc, "{%p else %}")
    body(doc, "{{ r.reasons }}")
    control(doc, "{%p endif %}")
    section_title(doc, "三、处罚依据")
    control(doc, "{%p if reasons.structured %}")
    provisions_list(doc)
    control(doc, "{%p else %}")
    body(doc, "{{ r.basis }}")
    control(doc, "{%p endif %}")
    section_title(doc, "四、拟作出的行政处罚")
    body(doc, "{{ r.proposed_decision }}")
    section_title(doc, "五、你（单位）依法享有的权利")
    body(
        doc,
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、"
        "申辩的权利；符合该法第六十三条规定情形的，还享有要求听证的权利。你（单位）提出的事实、"
        "理由和证据成立的，本机关将予以采纳；不予采纳的，将在处罚决定中说明理由。",
    )
    body(doc, "{{ r.rights }}")
    body(doc, "逾期未提出陈述、申辩或者听证要求的，视为放弃上述权利。")
    labelled(doc, "联系地址", "{{ agency.address }}")
    labelled(doc, "联系电话", "{{ agency.phone }}")
    closing(doc)


def hearing_notice(doc) -> None:
    heading(doc, "听证告知书")
    line(doc, ("{{ party_names }}：", True))
    body(
        doc,
        "本机关在办理{{ case.title }}中，拟对你（单位）依法作出行政处罚。根据《中华人民共和国"
        "行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求举行听证。",
    )
    body(doc, "{{ r.rights }}")
    body(
        doc,
        "你（单位）如要求听证，应当在{{ r.deadline }}前向本机关提出；逾期未提出的，"
        "视为放弃听证权利。听证由本机关指定的非本案调查人员主持，你（单位）可以亲自参加听证，"
        "也可以委托一至二人代理。",
    )
    labelled(doc, "联系地址", "{{ agency.address }}")
    labelled(doc, "联系电话", "{{ agency.phone }}")
    closing(doc)


def hearing_minutes(doc) -> None:
    heading(doc, "听证笔录", number=None)
    labelled(doc, "案件名称", "{{ case.title }}（案件编号：{{ case.number }}）")
    labelled(doc, "听证时间", "{{ record.occurred_at }}")
    labelled(doc, "听证地点", "{{ record.place }}")
    labelled(doc, "听证主持人", "{{ r.presiding }}")
    labelled(doc, "听证参加人", "{{ r.participants }}")
    labelled(doc, "当事人", PARTIES_INLINE)
    labelled(doc, "案件调查人员", "{{ officer_names }}")
    body(
        doc,
        "听证主持人宣布听证开始，宣布听证纪律，核对听证参加人身份，告知听证参加人的权利和义务，"
        "询问当事人是否申请回避。",
    )
    section_title(doc, "听证经过：")
    body(doc, "{{ r.minutes }}")
    body(doc, "以上笔录经听证参加人核对无误。")
    signatures_note(doc)
    sign_lines(doc, "听证主持人签名", "当事人签名", "记录人签名")


def investigation_report(doc) -> None:
    heading(doc, "案件调查终结报告", number="案件编号：{{ case.number }}")
    labelled(doc, "案件名称", "{{ case.title }}")
    labelled(doc, "案件来源", "{{ case.source }}")
    labelled(doc, "立案日期", "{{ case.started_on }}")
    labelled(doc, "当事人", PARTIES_INLINE)
    labelled(doc, "承办人员", "{{ officer_names }}")
    section_title(doc, "一、违法事实")
    body(doc, "{{ r.facts }}")
    section_title(doc, "二、证据")
    body(doc, "{{ r.evidence }}")
    section_title(doc, "三、法律依据")
    body(doc, "{{ r.basis }}")
    section_title(doc, "四、处理建议")
    body(doc, "{{ r.proposal }}")
    body(doc, "本案调查终结，特此报告。")
    signatures_note(doc)
    line(doc, "承办人员：{{ officer_names }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    line(doc, "{{ record.occurred_on }}", align=WD_ALIGN_PARAGRAPH.RIGHT)


def facts_list(doc) -> None:
    body(doc, "经查明：")
    control(doc, "{%p for f in reasons.facts %}")
    body(doc, "（{{ f.n }}）{{ f.text }}。{% if f.evidence %}（证据：{{ f.evidence }}）{% endif %}")
    control(doc, "{%p endfor %}")


def evidence_list(doc) -> None:
    body(doc, "本机关对证据的合法性、关联性、真实性和证明力逐一审查，采信情况及理由如下：")
    control(doc, "{%p for e in reasons.evidence %}")
    body(
        doc,
        "证据{{ e.n }}：{{ e.name }}（{{ e.source }}）。{{ e.assessment }}。"
        "{{ e.adopted }}{% if e.reason %}，理由：{{ e.reason }}{% endif %}。",
    )
    control(doc, "{%p endfor %}")


def provisions_list(doc) -> None:
    control(doc, "{%p for p in reasons.provisions %}")
    body(doc, "{{ p.n }}. {{ p.citation }}规定：“{{ p.quoted_text }}”适用理由：{{ p.why }}")
    control(doc, "{%p endfor %}")


def discretion_block(doc) -> None:
    body(
        doc,
        "{% if reasons.discretion.benchmark %}适用裁量基准：{{ reasons.discretion.benchmark }}；"
        "{% endif %}裁量阶次：{{ reasons.discretion.band }}。",
    )
    body(
        doc,
        "{% if reasons.discretion.factors %}裁量情节："
        "{{ reasons.discretion.factors }}。{% endif %}",
    )
    body(doc, "裁量理由：{{ reasons.discretion.reasons }}")
    body(
        doc,
        "{% if reasons.discretion.out_of_range_reason %}超出建议幅度的理由："
        "{{ reasons.discretion.out_of_range_reason }}{% endif %}",
    )


def decision(doc) -> None:
    """行政处罚决定书, with every item REC-07 (001 附件2 §22) asks for, and the four
    kinds of reasons with the answers to the party (RSN-01, RSN-03) where the case
    has structured reasons."""
    heading(doc, "行政处罚决定书")
    parties_block(doc)
    body(
        doc,
        "本机关于{{ case.started_on }}对{{ case.title }}立案调查。本机关依法"
        "告知了你（单位）拟作出行政处罚的事实、理由、依据及依法享有的陈述、申辩和要求听证的"
        "权利，现已审查终结。",
    )
    section_title(doc, "一、违法事实")
    control(doc, "{%p if reasons.structured %}")
    facts_list(doc)
    control(doc, "{%p else %}")
    body(doc, "经查明：{{ r.facts }}")
    control(doc, "{%p endif %}")
    section_title(doc, "二、证据及采纳理由")
    control(doc, "{%p if reasons.structured %}")
    evidence_list(doc)
    control(doc, "{%p else %}")
    body(doc, "上述事实，有下列证据证明。本机关对下列证据予以采纳，理由如下：")
    body(doc, "{{ r.evidence }}")
    control(doc, "{%p endif %}")
    section_title(doc, "三、法律依据及适用理由")
    control(doc, "{%p if reasons.structured %}")
    body(doc, "本机关认为：")
    provisions_list(doc)
    control(doc, "{%p else %}")
    body(doc, "本机关认为：{{ r.basis }}")
    control(doc, "{%p endif %}")
    section_title(doc, "四、适用的裁量基准及理由")
    control(doc, "{%p if reasons.structured %}")
    discretion_block(doc)
    control(doc, "{%p else %}")
    body(doc, "{{ r.discretion }}")
    control(doc, "{%p endif %}")
    control(doc, "{%p if reasons.points %}")
    section_title(doc, "对当事人陈述、申辩意见的采纳情况")
    control(doc, "{%p for p in reasons.points %}")
    body(
        doc,
        "（{{ p.n }}）当事人在{{ p.source }}中提出：{{ p.content }}。本机关意见：{{ p.answer }}。"
        "{{ p.reply }}",
    )
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")
    section_title(doc, "五、处罚决定")
    body(doc, "综上，本机关决定：{{ r.conclusion }}")
    body(
        doc,
        "{% if r.fine_amount %}罚没款金额：人民币{{ r.fine_amount_upper }}"
        "（¥{{ r.fine_amount }}元）。{% endif %}",
    )
    section_title(doc, "六、履行方式和期限")
    body(doc, "{{ r.performance }}")
    body(
        doc,
        "{% if r.fine_amount %}到期不缴纳罚款的，本机关可以依据《中华人民共和国行政处罚法》"
        "第七十二条第一款第一项的规定，每日按罚款数额的百分之三加处罚款。{% endif %}",
    )
    section_title(doc, "七、救济途径和期限")
    body(doc, "如不服本行政处罚决定，{{ r.remedies }}")
    body(doc, "申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。")
    closing(doc, note="本文书一式两份，一份送达当事人，一份归档。")


def onspot_decision(doc) -> None:
    heading(doc, "当场行政处罚决定书", number="编号：{{ number }}")
    parties_block(doc)
    labelled(doc, "执法人员及执法证件编号", "{{ officer_names }}")
    labelled(doc, "违法时间及地点", "{{ record.occurred_at }}，{{ record.place }}")
    section_title(doc, "违法行为：")
    body(doc, "{{ r.facts }}")
    section_title(doc, "处罚依据：")
    body(doc, "{{ r.basis }}")
    body(
        doc,
        "执法人员在作出本决定前，已当场告知你（单位）拟作出行政处罚的内容及事实、理由、依据，"
        "并告知你（单位）依法享有陈述、申辩的权利。",
    )
    section_title(doc, "处罚内容：")
    body(doc, "{{ r.conclusion }}")
    body(doc, "罚款金额：人民币{{ r.fine_amount_upper }}（¥{{ r.fine_amount }}元）。")
    body(
        doc,
        "当事人应当自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款；"
        "依法当场收缴罚款的，执法人员当场出具专用票据。",
    )
    section_title(doc, "救济途径和期限：")
    body(doc, "如不服本决定，{{ r.remedies }}")
    closing(doc)
    sign_lines(doc, "当事人签名", "执法人员签名")
    signatures_note(doc)


def delivery_receipt(doc) -> None:
    heading(doc, "送达回证", number=None)
    form_table(
        doc,
        [
            ("案件名称", "{{ case.title }}（案件编号：{{ case.number }}）"),
            (
                "送达文书名称及文号",
                "{% if r.document %}{{ r.document }}{% else %}{% for d in documents %}"
                "{{ d.title }}（{{ d.number }}）{% if not loop.last %}；{% endif %}"
                "{% endfor %}{% endif %}",
            ),
            ("受送达人", "{{ party_names }}"),
            ("送达方式", "{{ record.kind }}"),
            ("送达时间", "{{ record.occurred_at }}"),
            (
                "送达地点",
                "{{ record.place }}{% if not record.place %}{{ party.address }}{% endif %}",
            ),
            ("送达人", "{% if r.server %}{{ r.server }}{% else %}{{ officer_names }}{% endif %}"),
            ("受送达人签名或盖章", "{{ r.recipient }}\n\n　　　　　　　　　　　　　年　　月　　日"),
            ("代收人及代收理由", "\n"),
            ("见证人", "{{ r.witness }}"),
            (
                "备注",
                "{{ r.reason }}{% if r.tracking_number %}邮寄方式：{{ r.mail_kind }}，"
                "邮件号：{{ r.tracking_number }}。{% endif %}{{ r.receipt }}",
            ),
        ],
    )
    closing(doc)


def closing_approval(doc) -> None:
    heading(doc, "结案审批表", number="案件编号：{{ case.number }}")
    form_table(
        doc,
        [
            ("案件名称", "{{ case.title }}"),
            ("执法事项", "{{ case.matter }}"),
            ("当事人", PARTIES_INLINE),
            ("立案日期", "{{ case.started_on }}"),
            ("承办人员", "{{ officer_names }}"),
            ("案件办理情况", "{{ r.summary }}"),
            ("执行结果", "{{ r.result }}"),
            (
                "负责人审批意见",
                "同意结案。\n审批人：{{ r.approved_by }}　　{{ record.occurred_on }}",
            ),
        ],
    )
    signatures_note(doc)


def reasons_statement(doc) -> None:
    """The written answer to a party's request for reasons (RSN-05, 001 附件4 §15)."""
    heading(doc, "说明理由书")
    line(doc, ("{{ request.requester }}：", True))
    body(
        doc,
        "你（单位）于{{ request.requested_on }}申请本机关就{{ request.decision }}"
        "（{{ case.title }}）书面说明理由。现说明如下：",
    )
    control(doc, "{%p for text in request.paragraphs %}")
    body(doc, "{{ text }}")
    control(doc, "{%p endfor %}")
    body(
        doc,
        "如对本机关作出的行政执法决定不服，可以依法申请行政复议或者提起行政诉讼。",
    )
    labelled(doc, "联系地址", "{{ agency.address }}")
    labelled(doc, "联系电话", "{{ agency.phone }}")
    closing(doc)


LAYOUTS = {
    "filing_approval": filing_approval,
    "onsite_inspection": onsite_inspection,
    "interview": interview,
    "evidence_preservation": evidence_preservation,
    "prior_notice": prior_notice,
    "hearing_notice": hearing_notice,
    "hearing_minutes": hearing_minutes,
    "investigation_report": investigation_report,
    "decision": decision,
    "onspot_decision": onspot_decision,
    "delivery_receipt": delivery_receipt,
    "closing_approval": closing_approval,
    "reasons_statement": reasons_statement,
}


def build(kind: str) -> bytes:
    """The DOCX bytes of the default template of ``kind``, reproducibly."""
    doc = _new_document()
    LAYOUTS[kind](doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _normalised_zip(raw.getvalue())


def _normalised_zip(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


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
