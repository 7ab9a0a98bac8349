"""What a file is, from its first bytes (magic numbers), and whether that agrees
with its name.

A file named ``现场.mp4`` that is in fact a JPEG, a PDF or a program is refused
before anything is stored: the extension decides how browsers and players
treat the file, so it must not lie. Only the formats recorders, phones and
terminals produce are accepted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

HEAD_BYTES = 64


@dataclass(frozen=True)
class FileType:
    family: str  # what the bytes say: jpeg, png, isobmff, webm, mp3, wav, amr
    kind: str  # photo | audio | video
    content_type: str
    label: str


# Extension → what the file must be. MP4, MOV and M4A are all ISO base media
# files (an ``ftyp`` box); which brand a phone writes varies, so the family
# is checked and the extension says whether it is sound or pictures.
EXTENSIONS: dict[str, FileType] = {
    "jpg": FileType("jpeg", "photo", "image/jpeg", "JPEG 图片"),
    "jpeg": FileType("jpeg", "photo", "image/jpeg", "JPEG 图片"),
    "png": FileType("png", "photo", "image/png", "PNG 图片"),
    "mp4": FileType("isobmff", "video", "video/mp4", "MP4 视频"),
    "m4v": FileType("isobmff", "video", "video/mp4", "MP4 视频"),
    "mov": FileType("isobmff", "video", "video/quicktime", "MOV 视频"),
    "webm": FileType("webm", "video", "video/webm", "WebM 视频"),
    "mp3": FileType("mp3", "audio", "audio/mpeg", "MP3 音频"),
    "m4a": FileType("isobmff", "audio", "audio/mp4", "M4A 音频"),
    "wav": FileType("wav", "audio", "audio/wav", "WAV 音频"),
    "amr": FileType("amr", "audio", "audio/amr", "AMR 音频"),
}
FAMILY_LABELS = {
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "isobmff": "MP4/MOV/M4A 音视频",
    "webm": "WebM/Matroska 音视频",
    "mp3": "MP3 音频",
    "wav": "WAV 音频",
    "amr": "AMR 音频",
    "pdf": "PDF 文档",
    "zip": "ZIP 压缩包（或 Office 文档）",
    "exe": "可执行程序",
}


def extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lower().lstrip(".")


def accepted_extensions() -> str:
    return "、".join(f".{e}" for e in EXTENSIONS)


def family(head: bytes) -> str | None:
    """The format the first bytes of a file announce, or ``None`` if unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "isobmff"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"ID3"):
        return "mp3"
    # An MPEG audio frame header without ID3 tag: 11 sync bits, layer III.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 == 0x02:
        return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"MZ", b"\x7fELF")):
        return "exe"
    return None


def expected(filename: str) -> FileType | None:
    """What a file called ``filename`` must be; ``None`` for an extension not accepted."""
    return EXTENSIONS.get(extension(filename))


def mismatch(filename: str, head: bytes) -> str | None:
    """Why ``head`` cannot be the start of a file called ``filename``, in Chinese;
    ``None`` when it agrees."""
    wanted = expected(filename)
    if wanted is None:
        return f"不支持的文件类型“{filename}”，只接受：{accepted_extensions()}。"
    found = family(head)
    if found == wanted.family:
        return None
    what = FAMILY_LABELS.get(found, "无法识别的格式") if found else "无法识别的格式"
    return (
        f"文件“{filename}”的扩展名表明是{wanted.label}，但文件内容是{what}，"
        "类型与扩展名不符，未保存。请上传执法记录仪或拍摄设备导出的原始文件。"
    )
