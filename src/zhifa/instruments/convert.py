"""Turn office documents into PDF and read PDFs back (REC-07, REC-14).

One call of ``to_pdf`` starts one LibreOffice process for all the files it is
given (two when it mixes HTML with office files): the process start (1.4–2.1 s,
about 210 MB) dominates the cost, so callers with many documents (a case file)
pass them together. Each call uses its own throw-away LibreOffice profile so
that parallel calls, from threads or worker processes, never share one: two
``soffice`` started on the same profile hand their work to each other and one
of them returns without converting.

``ZHIFA_SOFFICE`` (default ``soffice``) names the program and
``ZHIFA_SOFFICE_TIMEOUT_SECONDS`` (default 120) bounds one call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from zhifa.core.errors import ZhifaError


class ConversionFailed(ZhifaError):
    """A document could not be converted or read (the tool is missing or failed)."""

    status = 503
    default_code = "conversion_failed"


HTML = {".html", ".htm"}
CONVERTIBLE = {".docx", ".doc", ".odt", ".rtf", ".xlsx", ".ods", *HTML}


def _soffice() -> str:
    name = getattr(settings, "ZHIFA_SOFFICE", "soffice")
    found = shutil.which(name)
    if not found:
        raise ConversionFailed(
            f"未找到 LibreOffice（{name}），无法生成 PDF。请按 scripts/system-deps.sh 安装后重试。",
            code="soffice_missing",
        )
    return found


def _timeout() -> int:
    return int(getattr(settings, "ZHIFA_SOFFICE_TIMEOUT_SECONDS", 120))


def to_pdf(paths: list[Path], outdir: Path) -> list[Path]:
    """Convert ``paths`` to PDF in ``outdir`` with one LibreOffice process.

    Returns the PDF paths in the order of ``paths``. Raises ``ConversionFailed``
    (with a Chinese message) when LibreOffice is missing, times out, or leaves
    any file unconverted; PDFs it did make are then removed again.
    """
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return []
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    stems: set[str] = set()
    for path in paths:
        if not path.is_file():
            raise ConversionFailed(f"待转换的文件不存在：{path.name}。", code="source_missing")
        if path.suffix.lower() not in CONVERTIBLE:
            raise ConversionFailed(
                f"不支持转换为 PDF 的文件类型：{path.name}。", code="unsupported_type"
            )
        # LibreOffice names the output after the input's stem: two inputs with
        # the same stem would overwrite each other in outdir.
        if path.stem in stems:
            raise ConversionFailed(
                f"同一批转换中有重名文件：{path.stem}，请分批或改名后转换。", code="duplicate_name"
            )
        stems.add(path.stem)
    targets = [outdir / f"{path.stem}.pdf" for path in paths]
    for target in targets:
        target.unlink(missing_ok=True)

    program = _soffice()
    # Writer opens HTML as a web page and prints it blank unless told to read
    # it as a text document; that input filter would refuse any other type,
    # so a batch mixing HTML with office files takes a second process.
    html = [p for p in paths if p.suffix.lower() in HTML]
    other = [p for p in paths if p.suffix.lower() not in HTML]
    for group, infilter in ((other, None), (html, "HTML (StarWriter)")):
        if group:
            _convert(program, group, outdir, infilter, targets)
    return targets


def _convert(
    program: str, paths: list[Path], outdir: Path, infilter: str | None, targets: list[Path]
) -> None:
    with tempfile.TemporaryDirectory(prefix="zhifa-soffice-") as profile:
        env = dict(os.environ, HOME=profile)
        command = [
            program,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=_timeout(),
                env=env,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            _remove(targets)
            raise ConversionFailed(
                f"LibreOffice 转换超时（超过 {_timeout()} 秒），未生成 PDF。",
                code="soffice_timeout",
            ) from exc
        except OSError as exc:
            raise ConversionFailed(
                f"无法启动 LibreOffice：{exc}。", code="soffice_missing"
            ) from exc

    made = [outdir / f"{p.stem}.pdf" for p in paths]
    missing = [p.name for p, t in zip(paths, made, strict=True) if not _nonempty(t)]
    if done.returncode != 0 or missing:
        _remove(targets)
        detail = (done.stderr or done.stdout or b"").decode("utf-8", "replace").strip()
        names = "、".join(missing) if missing else "全部文件"
        message = f"LibreOffice 未能将 {names} 转换为 PDF（退出码 {done.returncode}）。"
        if detail:
            message += f"错误信息：{detail[-300:]}"
        raise ConversionFailed(message, code="soffice_failed")


def page_count(pdf: Path) -> int:
    """The number of pages of ``pdf`` (pdfinfo)."""
    out = _poppler("pdfinfo", [str(pdf)])
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split(":", 1)[1].strip())
    raise ConversionFailed(f"无法读取 PDF 页数：{Path(pdf).name}。", code="pdf_unreadable")


def pdf_text(pdf: Path) -> str:
    """The text of ``pdf`` with its layout kept (pdftotext -layout)."""
    return _poppler("pdftotext", ["-layout", "-enc", "UTF-8", str(pdf), "-"])


def _poppler(tool: str, args: list[str]) -> str:
    program = shutil.which(tool)
    if not program:
        raise ConversionFailed(
            f"未找到 {tool}（poppler-utils），无法读取 PDF。请按 scripts/system-deps.sh 安装。",
            code=f"{tool}_missing",
        )
    try:
        done = subprocess.run([program, *args], capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ConversionFailed(f"{tool} 读取 PDF 超时。", code="pdf_unreadable") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise ConversionFailed(
            f"{tool} 无法读取 PDF：{detail[-300:] or '未知错误'}。", code="pdf_unreadable"
        )
    return done.stdout.decode("utf-8", "replace")


def _nonempty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
