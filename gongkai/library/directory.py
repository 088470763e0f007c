"""The agencies directory: imported from CSV/XLSX, and the platform's own agencies linked.

A directory file has a header row and one agency per row:

    机关名称 | 上级机关 | 层级 | 类型 | 别名 | 本平台机关代码

Only 机关名称 is required. 上级机关 names an agency earlier in the file or already in
the directory. 层级: 省级/市级/县级 (or 省/市/县); 类型: 地区/人民政府/部门. 别名: other
names the agency's reports print (e.g. "临夏州公安局" for 临夏回族自治州公安局),
separated by "；" or "、". 本平台机关代码: the code of an agency on this platform
(gongkai.agencies), which the row then describes instead of defining it again.

All or nothing: every row is checked first; one bad row and nothing is saved, and
every bad row is listed with its line number, in Chinese. A row naming an agency
already in the directory updates it (importing the same file twice changes nothing).
"""

import re
import tempfile
from pathlib import Path

from django.db import transaction
from django.db.models import F

from gongkai.agencies.models import Agency
from gongkai.registers.files import FileError, read_rows

from .models import Kind, Level, LibraryAgency

HEADERS = {
    "机关名称": "name",
    "名称": "name",
    "上级机关": "parent",
    "上级": "parent",
    "层级": "level",
    "类型": "kind",
    "别名": "aliases",
    "本平台机关代码": "platform",
}
LEVELS = {"省": Level.PROVINCE, "市": Level.CITY, "县": Level.COUNTY, "区": Level.COUNTY}
LEVELS |= {label: value for value, label in Level.choices}
KINDS = {label: value for value, label in Kind.choices} | {"政府": Kind.GOVERNMENT}
_SPLIT = re.compile(r"[；;、,，\n]+")


class DirectoryError(ValueError):
    """The file is refused; `lines` lists every problem (Chinese)."""

    def __init__(self, lines):
        super().__init__("；".join(lines))
        self.lines = lines


def _text(value):
    return "" if value is None else str(value).strip()


def read(path, filename=""):
    """The rows of a directory file as dicts with their line numbers; DirectoryError."""
    try:
        rows = list(read_rows(path, filename))
    except FileError as exc:
        raise DirectoryError([str(exc)]) from None
    if not rows:
        raise DirectoryError(
            ["文件是空的：第 1 行应为表头（机关名称、上级机关、层级、类型、别名）。"]
        )
    header = [HEADERS.get(_text(h)) for h in rows[0][1]]
    if "name" not in header:
        raise DirectoryError(["第 1 行表头中没有“机关名称”列。请使用模板的表头。"])
    out = []
    for line, cells in rows[1:]:
        row = {key: _text(v) for key, v in zip(header, cells, strict=False) if key}
        if any(row.values()):
            out.append((line, row))
    if not out:
        raise DirectoryError(["文件中除表头外没有机关。"])
    return out


def import_file(upload_or_path, filename=""):
    """Import a directory file (a path, or an uploaded file); returns (created, updated)."""
    if isinstance(upload_or_path, str | Path):
        return apply(read(upload_or_path, filename or str(upload_or_path)))
    with tempfile.NamedTemporaryFile(suffix=Path(filename).suffix) as handle:
        for chunk in upload_or_path.chunks():
            handle.write(chunk)
        handle.flush()
        return apply(read(handle.name, filename))


def _validate(rows):
    problems = []
    known = set(LibraryAgency.objects.values_list("name", flat=True))
    platform = {a.code: a for a in Agency.objects.all()}
    seen = {}
    for line, row in rows:
        name = row.get("name", "")
        where = f"第 {line} 行"
        if not name:
            problems.append(f"{where}：机关名称为空。")
            continue
        if len(name) > 100:
            problems.append(f"{where}：机关名称超过 100 个字。")
        if name in seen:
            problems.append(f"{where}：机关“{name}”与第 {seen[name]} 行重复。")
        parent = row.get("parent", "")
        if parent and parent == name:
            problems.append(f"{where}：机关“{name}”的上级不能是它自己。")
        elif parent and parent not in seen and parent not in known:
            problems.append(
                f"{where}：上级机关“{parent}”不在目录中，也不在本文件此前各行中"
                "（上级机关须写在下级之前）。"
            )
        if row.get("level") and row["level"] not in LEVELS:
            problems.append(f"{where}：层级“{row['level']}”无法识别，应为省级、市级或县级。")
        if row.get("kind") and row["kind"] not in KINDS:
            problems.append(f"{where}：类型“{row['kind']}”无法识别，应为地区、人民政府或部门。")
        code = row.get("platform", "")
        if code and code not in platform:
            problems.append(f"{where}：本平台没有代码为“{code}”的机关。")
        elif code and platform[code].name != name:
            problems.append(
                f"{where}：本平台代码“{code}”的机关名称是“{platform[code].name}”，与“{name}”不符。"
            )
        seen[name] = line
    if problems:
        raise DirectoryError(problems)
    return platform


def apply(rows):
    platform = _validate(rows)
    created = updated = 0
    with transaction.atomic():
        link_platform_agencies()
        for line, row in rows:
            parent = LibraryAgency.objects.get(name=row["parent"]) if row.get("parent") else None
            fields = {
                "parent": parent,
                "aliases": "\n".join(a for a in _SPLIT.split(row.get("aliases", "")) if a),
            }
            if row.get("level"):
                fields["level"] = LEVELS[row["level"]]
            if row.get("kind"):
                fields["kind"] = KINDS[row["kind"]]
            if row.get("platform"):
                fields["platform"] = platform[row["platform"]]
            agency = LibraryAgency.objects.filter(name=row["name"]).first()
            if agency and parent and parent.path.startswith(agency.path):
                raise DirectoryError(
                    [
                        f"第 {line} 行：上级机关“{parent.name}”是“{agency.name}”的下级，不能互为上下级。"
                    ]
                )
            if agency is None:
                LibraryAgency(name=row["name"], **fields).save()
                created += 1
                continue
            changed = {k: v for k, v in fields.items() if getattr(agency, k) != v}
            if agency.platform_id and "parent" in changed and parent is None:
                del changed["parent"]  # a platform agency keeps its platform parent
            if changed:
                for key, value in changed.items():
                    setattr(agency, key, value)
                agency.save()
                updated += 1
    return created, updated


def link_platform_agencies():
    """Every agency on this platform has its directory entry (linked, named as on the
    platform, under its platform parent). Cheap when nothing is missing."""
    missing = Agency.objects.filter(library_entry__isnull=True)
    renamed = LibraryAgency.objects.filter(platform__isnull=False).exclude(name=F("platform__name"))
    if not missing.exists() and not renamed.exists():
        return
    with transaction.atomic():
        for entry in renamed.select_related("platform"):
            entry.name = entry.platform.name
            entry.save()
        pending = list(missing.order_by("id"))
        while pending:  # parents first
            later = []
            for agency in pending:
                parent = None
                if agency.parent_id:
                    parent = LibraryAgency.objects.filter(platform_id=agency.parent_id).first()
                    if parent is None:
                        later.append(agency)
                        continue
                entry = LibraryAgency.objects.filter(name=agency.name).first()
                if entry is None:
                    entry = LibraryAgency(name=agency.name)
                entry.platform = agency
                entry.parent = parent or entry.parent
                entry.save()
            if len(later) == len(pending):  # a cycle cannot happen (PROTECT), but never loop
                break
            pending = later
