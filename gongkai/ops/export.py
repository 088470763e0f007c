"""`gongkai export --agency CODE`: all of one agency's data in open formats.

So that the system is never a trap: every row that belongs to the agency (found by
following foreign keys to it), as JSON (Django's serialisation: model, pk, fields) and
CSV (UTF-8 with BOM, one column per field), and every original file its rows name, with
a manifest (counts, SHA-256 of each file) and a Chinese README. Staff accounts are
exported without their password hashes.
"""

import csv
import datetime as dt
import json
from collections import deque
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from gongkai.attachments import storage
from gongkai.ops.backup import _copy_hashed

USER_FIELDS = ["id", "username", "first_name", "last_name", "email", "is_active", "date_joined"]
MAX_DEPTH = 4
README = """{name}（机关代码 {code}）政府信息公开系统数据导出
导出时间：{at}

data/    每类数据一个 JSON 文件和一个 CSV 文件（UTF-8）。JSON 为数组，每项含 model（数据类别）、
         pk（编号）、fields（各字段；外键为所指记录的编号）。CSV 每行一条记录、每列一个字段。
files/   这些数据引用的原始文件（附件、身份证明、发布的文件、年报原件等），路径与数据中记载的一致。
manifest.json  每类数据的条数、每个文件的 SHA-256 校验值。
用户账号只导出用户名、姓名、邮箱等，不含密码。
"""


class ExportError(Exception):
    pass


def _paths_to_agency():
    """{model: lookup to the Agency's pk} for every model of gongkai's apps that reaches it."""
    Agency = apps.get_model("agencies", "Agency")
    found = {Agency: "pk"}
    for model in apps.get_models():
        if not model.__module__.startswith("gongkai.") or model is Agency:
            continue
        queue = deque([(model, "", 0)])
        seen = {model}
        while queue:
            current, prefix, depth = queue.popleft()
            if depth >= MAX_DEPTH:
                continue
            hit = None
            for field in current._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                target = field.related_model
                path = f"{prefix}{field.name}"
                if target is Agency:
                    hit = path
                    break
                if target not in seen and target.__module__.startswith("gongkai."):
                    seen.add(target)
                    queue.append((target, path + "__", depth + 1))
            if hit:
                found[model] = hit
                break
    return found


def _file_names(model, rows):
    names = []
    file_fields = [f.name for f in model._meta.fields if isinstance(f, models.FileField)]
    for row in rows:
        for name in file_fields:
            value = getattr(row, name)
            if value:
                names.append(value.name)
        stored = getattr(row, "stored_path", None)
        if isinstance(stored, str) and stored:
            names.append(stored)
    return names


def _value(field, row):
    value = getattr(row, field.attname)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else value


def _write(data_dir, label, fields, rows):
    records = [
        {
            "model": label,
            "pk": row.pk,
            "fields": {f.name: _value(f, row) for f in fields if not f.primary_key},
        }
        for row in rows
    ]
    with open(data_dir / f"{label}.json", "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder)
    with open(data_dir / f"{label}.csv", "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f.name for f in fields])
        for row in rows:
            writer.writerow([_value(f, row) for f in fields])


def export(code, out):
    Agency = apps.get_model("agencies", "Agency")
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        codes = "、".join(Agency.objects.order_by("code").values_list("code", flat=True))
        raise ExportError(f"机关代码“{code}”不存在。现有机关代码：{codes or '（无）'}。")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"目录 {out} 已存在且不是空的，请换一个目录。")
    data_dir, files_dir = out / "data", out / "files"
    data_dir.mkdir(parents=True, exist_ok=True)
    files_dir.mkdir(exist_ok=True)
    counts, names = {}, []
    with transaction.atomic():  # one consistent view of the agency
        for model, path in sorted(
            _paths_to_agency().items(), key=lambda item: item[0]._meta.label_lower
        ):
            rows = list(model._base_manager.filter(**{path: agency.pk}).distinct().order_by("pk"))
            if not rows:
                continue
            label = model._meta.label_lower
            _write(data_dir, label, list(model._meta.concrete_fields), rows)
            counts[label] = len(rows)
            names += _file_names(model, rows)
        User = get_user_model()
        users = list(
            User.objects.filter(memberships__agency=agency).distinct().order_by("pk")
            if hasattr(User, "memberships")
            else User.objects.none()
        )
        user_fields = [User._meta.get_field(n) for n in USER_FIELDS]
        _write(data_dir, "auth.user", user_fields, users)
        counts["auth.user"] = len(users)
    files = {}
    for name in sorted(set(names)):
        try:
            source = storage.open_stored(name)
        except (OSError, storage.StorageError):
            files[name] = None  # named by a row, not stored: said so in the manifest
            continue
        target = files_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with source, open(target, "wb") as copy:
            files[name] = _copy_hashed(source, copy)
    at = timezone.localtime()
    manifest = {
        "agency": {"code": agency.code, "name": agency.name},
        "exported_at": at.isoformat(),
        "rows": counts,
        "files": files,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / "README.txt").write_text(
        README.format(name=agency.name, code=agency.code, at=f"{at:%Y-%m-%d %H:%M}"),
        encoding="utf-8",
    )
    return manifest
