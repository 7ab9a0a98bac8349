"""Filling a DOCX template with docxtpl (REC-14).

Templates use Jinja fields (``{{ party.name }}``, ``{%p for p in parties %}``)
in the Word text. Rendering is strict: a field the context lacks is an error,
never an empty gap in a served document. Values are escaped, and a line break
in a value becomes a line break in the document.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from zhifa.core.errors import InvalidInput

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


class TemplateBroken(InvalidInput):
    """A template cannot be rendered with the context of its kind."""

    default_code = "template_broken"


def _environment() -> jinja2.Environment:
    # Sandboxed: an agency's template is data, and must not reach Python's
    # internals through attributes such as ``__class__``.
    return ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def render(template: bytes, context: dict, out: Path) -> Path:
    """Render ``template`` (DOCX bytes) with ``context`` into the file ``out``."""
    document = _load(template)
    try:
        document.render(context, jinja_env=_environment(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateBroken(
            f"模板格式有误（第 {exc.lineno} 行附近）：{_syntax(exc)}", code="template_syntax"
        ) from exc
    except jinja2.UndefinedError as exc:
        field = _undefined_name(str(exc))
        raise TemplateBroken(
            f"模板使用了不存在的字段“{field}”。可用字段见模板管理页的字段说明。",
            code="template_unknown_field",
            details=[field],
        ) from exc
    except SecurityError as exc:
        raise TemplateBroken(
            "模板使用了不允许的写法（如以下划线开头的属性）。", code="template_unsafe"
        ) from exc
    except Exception as exc:  # a damaged or hand-edited template fails in many ways
        raise TemplateBroken(
            f"模板无法填充（{type(exc).__name__}：{str(exc)[:200]}）。", code="template_broken"
        ) from exc
    document.save(str(out))
    return out


def check_docx(data: bytes) -> None:
    """Refuse anything that is not a Word (.docx) document."""
    if not data:
        raise InvalidInput("模板文件为空。", code="template_empty")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InvalidInput("模板文件超过 10 MB。", code="template_too_large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InvalidInput(
            "模板文件不是有效的 Word 文档（.docx）。如为 .doc 格式，请用 Word 另存为 .docx。",
            code="template_not_docx",
        ) from None
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise InvalidInput(
            "模板文件不是有效的 Word 文档（.docx）：缺少正文部分。", code="template_not_docx"
        )


def _load(template: bytes) -> DocxTemplate:
    check_docx(template)
    try:
        return DocxTemplate(io.BytesIO(template))
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise InvalidInput(
            f"模板文件无法打开（{type(exc).__name__}），请确认是完好的 .docx 文档。",
            code="template_not_docx",
        ) from exc


def _undefined_name(message: str) -> str:
    # "'foo' is undefined" or "'dict object' has no attribute 'bar'"
    found = re.search(r"has no attribute '([^']+)'", message) or re.search(
        r"'([^']+)' is undefined", message
    )
    return found.group(1) if found else message


def _syntax(exc: jinja2.TemplateSyntaxError) -> str:
    message = exc.message or ""
    known = {
        "unexpected '}'": "多了一个“}”",
        "unexpected end of template": "字段或语句没有结束（缺少“}}”或“{% end… %}”）",
    }
    for english, chinese in known.items():
        if english in message:
            return chinese
    return message
