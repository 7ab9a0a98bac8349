"""The shipped templates and agencies' own (REC-14)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.instruments import make_templates
from zhifa.instruments.context import sample_context
from zhifa.instruments.models import InstrumentTemplate, Kind
from zhifa.instruments.rendering import render
from zhifa.instruments.services import (
    default_template_bytes,
    instrument_issue,
    template_active,
    template_deactivate,
    template_default,
    template_upload,
)
from zhifa.instruments.tests.test_issue import text_of


@pytest.mark.parametrize("kind", Kind.values)
def test_the_shipped_template_is_generated_by_make_templates(kind):
    """The committed file is what the script makes: the layout lives in one place."""
    assert make_templates.build(kind) == default_template_bytes(kind)


@pytest.mark.req("REC-14")
@pytest.mark.parametrize("kind", Kind.values)
def test_every_shipped_template_renders_its_sample(kind, tmp_path):
    out = render(default_template_bytes(kind), sample_context(kind), tmp_path / "out.docx")
    text = "\n".join(p.text for p in Document(out).paragraphs)
    tables = "\n".join(c.text for t in Document(out).tables for r in t.rows for c in r.cells)
    assert "{{" not in text + tables and "{%" not in text + tables
    assert "示例县市场监督管理局" in text  # the agency heads every instrument
    assert Kind(kind).label.replace("（", "").startswith(text.split("\n")[1].strip()[:4])


def test_the_templates_name_the_fonts_and_a4(tmp_path):
    document = Document(io.BytesIO(default_template_bytes(Kind.DECISION)))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    styles = zipfile.ZipFile(io.BytesIO(default_template_bytes(Kind.DECISION))).read(
        "word/document.xml"
    )
    assert b"Noto Serif CJK SC" in styles and b"Noto Sans CJK SC" in styles


def _own_template(extra: str = "本机关特别提示：请携带身份证件。", field: str = "") -> bytes:
    document = Document(io.BytesIO(default_template_bytes(Kind.INTERVIEW)))
    document.add_paragraph(extra + field)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.req("REC-14")
def test_an_agency_uses_its_own_template_until_it_is_deactivated(team, county):
    admin = county.market_admin
    default = template_default(Kind.INTERVIEW)
    assert template_active(team.agency, Kind.INTERVIEW) == default
    own = template_upload(
        actor=admin,
        agency=team.agency,
        kind=Kind.INTERVIEW,
        data=_own_template(field="{{ agency.phone }}"),
        filename="询问笔录.docx",
    )
    assert (own.version, own.is_active) == (1, True)
    assert template_active(team.agency, Kind.INTERVIEW) == own
    assert template_active(county.safety, Kind.INTERVIEW) == default  # other agencies unaffected

    case = open_case(team)
    case = advance_to(team, case, Stage.INVESTIGATION)
    add(team, case, "interview")
    instrument = instrument_issue(actor=team.lead, case=case, kind=Kind.INTERVIEW)
    assert instrument.template == own
    assert "本机关特别提示：请携带身份证件。" in text_of(instrument)

    second = template_upload(
        actor=admin,
        agency=team.agency,
        kind=Kind.INTERVIEW,
        data=_own_template("第二版"),
        filename="v2.docx",
        name="询问笔录（第二版）",
    )
    own.refresh_from_db()
    assert second.version == 2 and not own.is_active
    template_deactivate(actor=admin, template=second)
    assert template_active(team.agency, Kind.INTERVIEW) == default
    with pytest.raises(Conflict):
        template_deactivate(actor=admin, template=second)
    with pytest.raises(Forbidden):
        template_deactivate(actor=admin, template=default)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"not a zip", "a.docx", "不是有效的 Word 文档"),
        (b"", "a.docx", "模板文件为空"),
        ("zip-without-body", "a.docx", "缺少正文部分"),
        ("unknown-field", "a.docx", "不存在的字段“officer_phone”"),
        ("unknown-record-field", "a.docx", "不存在的字段“mood”"),
        ("syntax", "a.docx", "模板格式有误"),
        ("unsafe", "a.docx", "不允许的写法"),
        ("good", "a.doc", "请上传 Word 文档（.docx）"),
    ],
)
def test_a_bad_template_is_refused_with_the_field_named(team, county, data, filename, message):
    if data == "zip-without-body":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "hi")
        data = out.getvalue()
    elif data == "unknown-field":
        data = _own_template(field="{{ officer_phone }}")
    elif data == "unknown-record-field":
        data = _own_template(field="{{ r.mood }}")
    elif data == "syntax":
        data = _own_template(field="{{ party.name }")
    elif data == "unsafe":
        data = _own_template(field="{{ r.__class__.__mro__ }}")
    elif data == "good":
        data = _own_template()
    with pytest.raises(InvalidInput, match=message):
        template_upload(
            actor=county.market_admin,
            agency=team.agency,
            kind=Kind.INTERVIEW,
            data=data,
            filename=filename,
        )
    assert not InstrumentTemplate.objects.filter(agency=team.agency).exists()


@pytest.mark.django_db
def test_only_the_agency_admin_uploads(team, county):
    for actor in (team.lead, team.leader, county.safety_admin):
        with pytest.raises(Forbidden):
            template_upload(
                actor=actor,
                agency=team.agency,
                kind=Kind.INTERVIEW,
                data=_own_template(),
                filename="a.docx",
            )


@pytest.mark.django_db
def test_the_default_is_installed_once_and_again_when_the_file_changes(monkeypatch, tmp_path):
    first = template_default(Kind.DECISION)
    assert template_default(Kind.DECISION) == first
    changed = tmp_path / "decision.docx"
    changed.write_bytes(_own_template("新版默认"))
    monkeypatch.setattr("zhifa.instruments.services.DEFAULTS_DIR", Path(tmp_path), raising=True)
    second = template_default(Kind.DECISION)
    first.refresh_from_db()
    assert second.version == 2 and second.is_active and not first.is_active
