"""Checking an uploaded file before it is kept: size, real content, a safe display name.

Pure: no ORM and no storage. `validate_upload` reads the file once (size and
SHA-256), looks at what the bytes really are (magic numbers; for docx, xlsx and
ofd the parts inside the ZIP container; for txt the encoding) and compares that
with the extension. A file whose content does not match its extension is
refused with a Chinese message saying what was found and what is accepted. The
client's name and content type are never trusted: the name is only displayed
(sanitised), the content type comes from what the bytes are.
"""

import codecs
import hashlib
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from gongkai import safezip

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MIB
NAME_MAX_CHARS = 120

# ZIP-based formats (docx, xlsx, ofd) are checked for zip bombs and path tricks by
# gongkai.safezip (its limits); nothing is extracted.
MANIFEST_MAX_BYTES = MIB

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FileType:
    kind: str  # what the bytes must be
    content_type: str
    label: str  # Chinese, for messages


TYPES = {
    "pdf": FileType("pdf", "application/pdf", "PDF"),
    "jpg": FileType("jpeg", "image/jpeg", "JPG 图片"),
    "jpeg": FileType("jpeg", "image/jpeg", "JPG 图片"),
    "png": FileType("png", "image/png", "PNG 图片"),
    "docx": FileType("docx", DOCX, "Word 文档（docx）"),
    "xlsx": FileType("xlsx", XLSX, "Excel 表格（xlsx）"),
    "txt": FileType("text", "text/plain", "纯文本（txt，UTF-8 或 GB18030 编码）"),
    # GB/T 33190 电子文件存储与交换格式 (版式文档), common for government e-documents.
    "ofd": FileType("ofd", "application/ofd", "OFD 版式文件"),
}
DEFAULT_ALLOWED = frozenset(TYPES)

# What a file is when it is not what its extension says (first bytes).
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty ZIP archive
    (b"MZ", "Windows 可执行程序（exe/dll）"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xcf\xfa\xed\xfe", "macOS 可执行程序"),
    (b"\xca\xfe\xba\xbe", "Java 类文件或 macOS 程序"),
    (b"#!", "脚本程序"),
    (b"GIF8", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"RIFF", "音视频或 WebP 图片"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档（doc/xls）或加密的 Office 文档"),
    (b"{\\rtf", "RTF 文档"),
    (b"%!PS", "PostScript 文件"),
)
_FOUND = {
    "pdf": "PDF",
    "png": "PNG 图片",
    "jpeg": "JPG 图片",
    "zip": "ZIP 压缩包",
    "docx": "Word 文档（docx）",
    "xlsx": "Excel 表格（xlsx）",
    "ofd": "OFD 版式文件",
    "text": "纯文本",
}
_MARKUP = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<meta",
    b"<img",
    b"<object",
    b"<embed",
    b"<a ",
    b"<div",
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class UploadRejected(Exception):
    """The file is not accepted; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class UploadInfo:
    extension: str  # lower case, without the dot, one of the allowed keys
    content_type: str  # from the content, never from the client
    safe_name: str  # for display and Content-Disposition only, never a path
    size: int
    sha256: str


# ---- names ---------------------------------------------------------------------------

_RESERVED = re.compile(r'[<>:"|?*]')
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def safe_display_name(name, *, max_chars=NAME_MAX_CHARS):
    """The client's file name, made safe to show: no path, no control or bidi
    characters, no reserved characters, at most `max_chars` (the extension kept).

    `C:\\材料\\申请.pdf` → `申请.pdf`; `../../etc/passwd` → `passwd`;
    `a.pdf\\x00.exe` → `a.pdf.exe` (the NUL is dropped, not used to cut the name,
    so the real extension stays visible). Empty results become `附件`.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\t\n\r\v\f\x1c-\x1f\x85\u2028\u2029]", " ", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROP_CATEGORIES)
    name = _RESERVED.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return "附件"
    if len(name) > max_chars:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and 0 < len(ext) <= 10:
            name = stem[: max_chars - len(ext) - 2].rstrip(" .") + "…." + ext
        else:
            name = name[: max_chars - 1] + "…"
    return name


def extension_of(name):
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# ---- messages ------------------------------------------------------------------------


def size_text(n):
    if n >= MIB:
        return f"{n / MIB:.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} 字节"


def accepted_text(allowed):
    labels = []
    for ext in sorted(allowed, key=list(TYPES).index):
        label = TYPES[ext].label
        if label not in labels:
            labels.append(label)
    return "可接受的文件类型：" + "、".join(labels) + "。"


def _mismatch(name, ext, found, allowed):
    return UploadRejected(
        f"文件“{name}”的扩展名是 .{ext}，但内容是{found}，与扩展名不符，未予接收。"
        f"{accepted_text(allowed)}请上传原始文件，不要只修改扩展名。"
    )


# ---- reading -------------------------------------------------------------------------


def _chunks(uploaded_file):
    if hasattr(uploaded_file, "chunks"):
        yield from uploaded_file.chunks()  # Django files seek to 0 themselves
        return
    uploaded_file.seek(0)
    while chunk := uploaded_file.read(64 * 1024):
        yield chunk


def _read_head(uploaded_file, n=4096):
    uploaded_file.seek(0)
    head = uploaded_file.read(n)
    uploaded_file.seek(0)
    return head


def _identify(head):
    """A short name of what the first bytes are: a TYPES kind, 'zip', or a Chinese label."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            if magic == b"MZ" and b"\x00" not in head:
                continue  # plain text that happens to start with "MZ"
            return what
    if head[4:8] == b"ftyp":
        return "MP4/HEIC 音视频或图片"
    if _looks_like_markup(head):
        return "网页或标记语言文件（HTML/XML/SVG）"
    return None


def _looks_like_markup(head):
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
    text = text.replace(b"\x00", b"").lstrip().lower()
    if b"<script" in text:
        return True
    return text.startswith(b"<") and any(tag in text[:1024] for tag in _MARKUP)


def _zip_kind(uploaded_file, name):
    """docx / xlsx / ofd / 'zip' (another archive) for a ZIP container, checked for bombs
    by the shared check (gongkai.safezip, also used by the annual-report engine)."""
    try:
        infos = safezip.check(uploaded_file, name)
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            return _office_kind(archive, infos)
    except safezip.ZipRejected as error:
        raise UploadRejected(str(error)) from None
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as error:
        raise UploadRejected(
            f"文件“{name}”是损坏的压缩格式文件，无法打开（{type(error).__name__}）。"
            "请用原程序重新保存后上传。"
        ) from None


def _office_kind(archive, infos):
    names = {info.filename for info in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return "含宏的 Office 文档（docm/xlsm）"
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" not in names:
        if {"AndroidManifest.xml", "classes.dex"} & names or "META-INF/MANIFEST.MF" in names:
            return "Java 或安卓程序包（jar/apk）"
        return "zip"
    with archive.open("[Content_Types].xml") as part:
        manifest = part.read(MANIFEST_MAX_BYTES + 1)
    if len(manifest) > MANIFEST_MAX_BYTES:
        return "zip"
    if b"macroEnabled" in manifest:
        return "含宏的 Office 文档（docm/xlsm）"
    if b"wordprocessingml.document.main+xml" in manifest and "word/document.xml" in names:
        return "docx"
    if b"spreadsheetml.sheet.main+xml" in manifest and "xl/workbook.xml" in names:
        return "xlsx"
    if b"presentationml" in manifest:
        return "PowerPoint 演示文稿（pptx）"
    return "其他 Office 文件"


def _text_encoding(uploaded_file):
    """'utf-8' or 'gb18030' if the whole file decodes as that, else None."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in _chunks(uploaded_file):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8" if encoding == "utf-8-sig" else encoding
    return None


def _content_kind(uploaded_file, head, has_nul, expected, name):
    """What the file is: a TYPES kind when recognised, else a Chinese description."""
    found = _identify(head.lstrip(b"\r\n\t ") if expected == "pdf" else head)
    if found == "zip":
        return _zip_kind(uploaded_file, name), None
    if found is not None:
        return found, None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 编码的文本（请另存为 UTF-8 编码）", None
    if has_nul:
        return "无法识别的二进制内容", None
    encoding = _text_encoding(uploaded_file)
    if encoding is None:
        return "无法识别编码的文本或二进制内容（请另存为 UTF-8 编码）", None
    return "text", encoding


# ---- the check -----------------------------------------------------------------------


def validate_upload(uploaded_file, *, allowed=DEFAULT_ALLOWED, max_bytes=None):
    """UploadInfo for an acceptable file; raises UploadRejected (Chinese) otherwise.

    `uploaded_file`: a Django UploadedFile, or any seekable binary file with `.name`.
    `max_bytes`: None reads settings.ATTACHMENT_MAX_BYTES (default 20 MiB).
    """
    if max_bytes is None:
        max_bytes = _setting_max_bytes()
    allowed = frozenset(ext.lower().lstrip(".") for ext in allowed) & DEFAULT_ALLOWED
    name = safe_display_name(getattr(uploaded_file, "name", ""))
    ext = extension_of(name)
    if not ext:
        raise UploadRejected(f"文件“{name}”没有扩展名，无法判断类型。{accepted_text(allowed)}")
    if ext not in allowed:
        raise UploadRejected(f"不接受 .{ext} 类型的文件（“{name}”）。{accepted_text(allowed)}")
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_big(name, declared, max_bytes)

    digest, size, has_nul = hashlib.sha256(), 0, False
    for chunk in _chunks(uploaded_file):
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(name, size, max_bytes)
        has_nul = has_nul or b"\x00" in chunk
        digest.update(chunk)
    if size == 0:
        raise UploadRejected(f"文件“{name}”是空的（0 字节），请检查后重新上传。")

    expected = TYPES[ext]
    head = _read_head(uploaded_file)
    found, encoding = _content_kind(uploaded_file, head, has_nul, expected.kind, name)
    if found == "text" and _looks_like_markup(head):
        found = "网页或标记语言文件（HTML/XML/SVG）"
    if found != expected.kind:
        raise _mismatch(name, ext, _FOUND.get(found, found), allowed)
    content_type = expected.content_type
    if encoding:
        content_type = f"text/plain; charset={encoding}"
    uploaded_file.seek(0)
    return UploadInfo(
        extension=ext,
        content_type=content_type,
        safe_name=name,
        size=size,
        sha256=digest.hexdigest(),
    )


def _too_big(name, size, max_bytes):
    return UploadRejected(
        f"文件“{name}”大小为 {size_text(size)}，超过 {size_text(max_bytes)} 的上限。"
        "请压缩图片、拆分文件或另存为较小的 PDF 后分别上传。"
    )


def _setting_max_bytes():
    try:
        from django.conf import settings

        return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ImportError:  # pragma: no cover - used without Django
        return DEFAULT_MAX_BYTES
