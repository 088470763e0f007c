"""One check of a ZIP container before anything reads inside it (zip bombs, path tricks).

Used by the attachments app (docx, xlsx, ofd uploads) and by the annual-report
engine before python-docx opens a DOCX (年报体检, the public page). Nothing is
extracted: the central directory's declared sizes are checked, and Python's
zipfile never unpacks a member beyond its declared size (a member that lies
fails its CRC check), so a container that passes cannot unpack to more than
`MAX_UNPACKED`.

`check(source, name)` returns the open `zipfile.ZipFile`'s member list, or
raises `ZipRejected` with a Chinese message saying what was found. Limits:
- at most MAX_ENTRIES members (nested archives' members counted too);
- at most MAX_UNPACKED bytes unpacked in all (nested archives included);
- above RATIO_FLOOR unpacked, at most MAX_RATIO times the packed size, in all;
- any one member above ENTRY_RATIO_FLOOR unpacked: at most MAX_RATIO times its
  packed size (a bomb hidden in one part of an otherwise normal file);
- archives inside the archive (e.g. an Excel sheet embedded in a Word document)
  are inspected with the same limits, to a depth of MAX_NESTING; deeper → refused;
- member names: no absolute paths, drive letters, "..", backslashes, NUL or
  control characters, no duplicates, no symbolic links;
- no encrypted members.
"""

import io
import stat
import zipfile
import zlib

MIB = 1024 * 1024
MAX_ENTRIES = 5000
MAX_UNPACKED = 256 * MIB
MAX_RATIO = 100  # unpacked / packed
RATIO_FLOOR = 32 * MIB
ENTRY_RATIO_FLOOR = MIB
MAX_NESTING = 1  # an archive inside the archive is inspected; one inside that is refused
NESTED_MAX_READ = 32 * MIB  # a nested archive larger than this (unpacked) is refused

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,  # an unsupported compression method
    OSError,
    ValueError,
    EOFError,
    RuntimeError,  # an encrypted member read without a password
)


class ZipRejected(ValueError):
    """The container is refused; the message (Chinese) says why."""


def size_text(n):
    if n >= MIB:
        return f"{n / MIB:.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} 字节"


def is_zip(head):
    return head.startswith(_ZIP_MAGIC)


def check(source, name):
    """The members (ZipInfo list) of a safe container; raises ZipRejected otherwise.

    `source`: bytes or a seekable binary file. `name`: shown in messages.
    """
    fileobj = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    totals = {"entries": 0, "unpacked": 0}
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            _inspect(archive, name, totals, depth=0)
    except ZipRejected:
        raise
    except _ERRORS as error:
        raise ZipRejected(
            f"文件“{name}”是损坏的压缩格式文件，无法打开（{type(error).__name__}）。"
            "请用原程序重新保存后上传。"
        ) from None
    finally:
        if not isinstance(source, bytes | bytearray):
            fileobj.seek(0)
    return infos


def _bomb(name, why):
    return ZipRejected(f"文件“{name}”{why}，疑似压缩炸弹，未予接收。请另存为 PDF 后上传。")


def _inspect(archive, name, totals, depth):
    infos = archive.infolist()
    totals["entries"] += len(infos)
    if totals["entries"] > MAX_ENTRIES:
        raise ZipRejected(
            f"文件“{name}”内含 {totals['entries']} 个部件，超过 {MAX_ENTRIES} 个的上限，"
            "疑似压缩炸弹，未予接收。"
        )
    seen = set()
    for info in infos:
        _check_name(info, name, seen)
    unpacked = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    totals["unpacked"] += unpacked
    if totals["unpacked"] > MAX_UNPACKED or (
        unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * packed
    ):
        raise _bomb(
            name,
            f"解压后约 {size_text(totals['unpacked'])}，是压缩后大小的 {unpacked // packed} 倍",
        )
    for info in infos:
        if info.file_size > ENTRY_RATIO_FLOOR and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _bomb(
                name,
                f"中的部件“{_shown(info.filename)}”解压后约 {size_text(info.file_size)}，"
                f"是压缩后大小的 {info.file_size // max(info.compress_size, 1)} 倍",
            )
    if any(info.flag_bits & 0x1 for info in infos):
        raise ZipRejected(f"文件“{name}”已加密（设置了打开密码），请取消密码后重新上传。")
    for info in infos:
        if info.is_dir() or info.file_size < 22:  # smaller than an empty archive
            continue
        with archive.open(info) as part:
            head = part.read(4)
        if not is_zip(head):
            continue
        if depth + 1 > MAX_NESTING:
            raise ZipRejected(
                f"文件“{name}”中有多层嵌套的压缩包（“{_shown(info.filename)}”），未予接收。"
                "请上传原始文件。"
            )
        if info.file_size > NESTED_MAX_READ:
            raise _bomb(
                name, f"中嵌套的压缩包“{_shown(info.filename)}”解压后约 {size_text(info.file_size)}"
            )
        inner = archive.read(info)
        with zipfile.ZipFile(io.BytesIO(inner)) as nested:
            _inspect(nested, name, totals, depth + 1)


def _shown(filename):
    return "".join(ch if ch.isprintable() else "?" for ch in filename)[:60]


def _check_name(info, name, seen):
    member = info.filename
    unix_mode = info.external_attr >> 16
    problem = None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in member):
        problem = "含有控制字符"
    elif "\\" in member:
        problem = "含有反斜杠路径"
    elif member.startswith("/") or (len(member) > 1 and member[1] == ":"):
        problem = "是绝对路径"
    elif ".." in member.split("/"):
        problem = "含有“..”（指向上级目录）"
    elif member in seen:
        problem = "重复出现"
    elif unix_mode and stat.S_ISLNK(unix_mode):
        problem = "是符号链接"
    seen.add(member)
    if problem:
        raise ZipRejected(
            f"文件“{name}”中的部件名“{_shown(member)}”{problem}，不是正常的文档结构，未予接收。"
        )
