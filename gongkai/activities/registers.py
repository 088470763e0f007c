"""The activity registers and every change to them: add, change, delete, import.

REGISTERS declares each register once (its model, the fields a person fills in and
an import file's columns, which date decides the year). Every change is one atomic
function that checks the user's role (政务公开办 and 系统管理员 change; registers/access.py
is the one home of that rule) and writes an ActivityEvent.

Import (CSV or XLSX, read by gongkai/registers/files.py): a file holds one
register's rows for one year and replaces that year's rows of the register. Every
row is checked first; one bad row and nothing is written (the errors name the line
and the reason, in Chinese).
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from gongkai.registers import rows as register_rows
from gongkai.registers.access import RegisterError, require_edit
from gongkai.registers.files import FileError, read_rows

from . import models as m

FIRST_YEAR = 2008  # the regulation's first annual reports (Art. 49 of the 2007 text)
MAX_IMPORT_ROWS = 5000
ActivityError = RegisterError


@dataclass(frozen=True)
class Register:
    key: str
    model: type
    label: str
    fields: tuple  # in form and file order; "year" is never among them (the page's year)
    dated: str = ""  # the date field whose year is the row's year
    hint: str = ""

    def field(self, name):
        return self.model._meta.get_field(name)

    def headers(self):
        return [str(self.field(f).verbose_name) for f in self.fields]

    def rows(self, agency, year):
        return self.model.objects.filter(agency=agency, year=year)


REGISTERS = {
    r.key: r
    for r in (
        Register(
            "enquiries", m.Enquiry, "咨询", ("channel", "persons", "note"),
            hint="按渠道（电话、现场、网上）登记全年答复政府信息公开咨询的人次。",
        ),
        Register(
            "proposals", m.Proposal, "人大代表建议和政协提案",
            ("kind", "level", "handled", "on_time", "note"),
            hint="按类别和层级登记全年承办的建议、提案件数和按时办结件数。",
        ),
        Register(
            "briefings", m.Briefing, "政策解读和新闻发布会", ("kind", "held_on", "title", "note"),
            dated="held_on", hint="每次政策解读或新闻发布会登记一行。",
        ),
        Register(
            "trainings", m.Training, "培训", ("held_on", "title", "attendees", "note"),
            dated="held_on", hint="每次政府信息公开业务培训登记一行，填写参训人次。",
        ),
        Register(
            "assessments", m.Assessment, "考核评估", ("title", "result", "note"),
            hint="政务公开纳入绩效考核、第三方评估等，每项登记一行。",
        ),
        Register(
            "newmedia", m.NewMediaAccount, "政务新媒体", ("platform", "account", "posts", "note"),
            hint="每个政务新媒体账号登记一行，填写本年发布条数。",
        ),
    )
}  # fmt: skip


def register(key):
    try:
        return REGISTERS[key]
    except KeyError:
        raise ActivityError("没有这个登记簿。") from None


def check_year(year, today):
    if not FIRST_YEAR <= year <= today.year:
        raise ActivityError(f"年度应在 {FIRST_YEAR} 年至 {today.year} 年之间，{year} 年不能登记。")


def _values(reg, values, year):
    """The row's field values, with `year` set (from the date for dated registers)."""
    out = {f: values[f] for f in reg.fields if f in values}
    if reg.dated:
        day = out.get(reg.dated)
        if day is None:
            raise ActivityError(f"请填写{reg.field(reg.dated).verbose_name}。")
        if year is not None and day.year != year:
            raise ActivityError(
                f"{reg.field(reg.dated).verbose_name} {day.isoformat()} 不在 {year} 年度内。"
            )
        out["year"] = day.year
    else:
        out["year"] = year
    return out


def _messages(error):
    return "；".join(msg for msgs in error.message_dict.values() for msg in msgs)


def _save(row):
    try:
        row.full_clean()
    except ValidationError as error:
        raise ActivityError(_messages(error)) from None
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ActivityError("与已登记的记录重复或不一致，未保存。") from None


def _plain(row, reg):
    out = {}
    for f in ("year", *reg.fields):
        value = getattr(row, f)
        out[f] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def _event(agency, reg, kind, by, row_id=None, **data):
    m.ActivityEvent.objects.create(
        agency=agency, register=reg.key, kind=kind, actor=by, row_id=row_id, data=data
    )


@transaction.atomic
def add(agency, key, *, by, year=None, **values):
    """登记 a row; `year` for registers without a date. Returns the row."""
    reg = register(key)
    require_edit(by, agency, f"登记{reg.label}")
    row = reg.model(agency=agency, updated_by=by, **_values(reg, values, year))
    _save(row)
    _event(agency, reg, m.EventKind.ADDED, by, row.pk, row=_plain(row, reg))
    return row


@transaction.atomic
def change(row, *, by, **values):
    reg = _register_of(row)
    require_edit(by, row.agency, f"修改{reg.label}")
    before = _plain(reg.model.objects.get(pk=row.pk), reg)  # as stored (a form may have set row)
    for name, value in _values(reg, values, row.year).items():
        setattr(row, name, value)
    row.updated_by = by
    _save(row)
    after = _plain(row, reg)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _event(row.agency, reg, m.EventKind.CHANGED, by, row.pk, changed=diff)
    return row


@transaction.atomic
def delete(row, *, by):
    reg = _register_of(row)
    require_edit(by, row.agency, f"删除{reg.label}")
    _event(row.agency, reg, m.EventKind.DELETED, by, row.pk, row=_plain(row, reg))
    row.delete()


def _register_of(row):
    return next(r for r in REGISTERS.values() if isinstance(row, r.model))


# ---- import ------------------------------------------------------------------------


class ImportRefused(ActivityError):
    """A file with bad rows; `errors` lists (line, reason) and nothing was written."""

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.errors = list(errors)


def _norm(text):
    return unicodedata.normalize("NFKC", str(text or "")).replace(" ", "").strip()


def _cell(reg, name, raw):
    """(value, None) or (None, Chinese reason) for one cell."""
    field = reg.field(name)
    label = str(field.verbose_name)
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if blank:
        return ("", None) if field.blank else (None, f"缺少“{label}”")
    if field.choices:
        text = _norm(raw)
        for value, choice_label in field.choices:
            if text in (_norm(value), _norm(choice_label)):
                return value, None
        allowed = "、".join(str(c[1]) for c in field.choices)
        return None, f"{label}“{register_rows._shown(raw)}”不是可选值（{allowed}）"
    if isinstance(field, models.DateField):
        day, reason = register_rows.parse_date(raw)
        return (day, None) if reason is None else (None, f"{label}：{reason}")
    if isinstance(field, models.PositiveIntegerField):
        text = _norm(raw).removesuffix(".0")
        if not text.isdigit() or len(text) > 9:
            return None, f"{label}“{register_rows._shown(raw)}”应为不小于0的整数"
        return int(text), None
    column = register_rows.Column(name, label, max_length=field.max_length or 200)
    return register_rows.parse_text(raw, column)


def read_file(reg, path, filename, year):
    """(rows' values, errors) of an import file; FileError when it cannot be read at all."""
    headers = {_norm(h): f for h, f in zip(reg.headers(), reg.fields, strict=True)}
    positions, values, errors = None, [], []
    for line, cells in read_rows(path, filename):
        if all(c is None or not str(c).strip() for c in cells):
            continue
        if positions is None:
            positions = {headers[_norm(c)]: i for i, c in enumerate(cells) if _norm(c) in headers}
            missing = [
                str(reg.field(f).verbose_name)
                for f in reg.fields
                if f not in positions and not reg.field(f).blank
            ]
            if missing:
                raise FileError(
                    f"第 {line} 行（表头）缺少必需的列：{'、'.join(missing)}。"
                    f"{reg.label}文件的表头应为：{'、'.join(reg.headers())}（列的顺序不限）。"
                )
            continue
        row, reasons = {}, []
        for name in reg.fields:
            i = positions.get(name)
            value, reason = _cell(reg, name, cells[i] if i is not None and i < len(cells) else None)
            row[name] = value
            if reason:
                reasons.append(reason)
        if not reasons and reg.dated and row[reg.dated].year != year:
            reasons.append(
                f"{reg.field(reg.dated).verbose_name} {row[reg.dated]} 不在 {year} 年度内"
            )
        if reasons:
            errors.append((line, "；".join(reasons) + "。"))
        else:
            values.append((line, row))
        if len(values) + len(errors) > MAX_IMPORT_ROWS:
            raise FileError(f"文件超过 {MAX_IMPORT_ROWS} 行，不像一个年度的登记，请检查。")
    if positions is None:
        raise FileError(f"文件是空的：没有找到表头。表头应为：{'、'.join(reg.headers())}。")
    return values, errors


def import_file(agency, key, year, path, filename, *, by, today):
    """Replace the register's rows of `year` with the file's rows; all or nothing.
    Returns the number of rows written; ImportRefused (with row errors) otherwise."""
    reg = register(key)
    require_edit(by, agency, f"导入{reg.label}")
    check_year(year, today)
    try:
        values, errors = read_file(reg, path, filename, year)
    except FileError as error:
        raise ImportRefused(str(error)) from None
    if not errors:
        errors = _duplicates(reg, values)
    if errors:
        raise ImportRefused(f"有 {len(errors)} 行未通过校验，没有导入任何数据。", errors)
    if not values:
        raise ImportRefused("文件中只有表头，没有数据行，没有导入任何数据。")
    with transaction.atomic():
        old = reg.rows(agency, year)
        replaced = old.count()
        old.delete()
        for line, row in values:
            record = reg.model(agency=agency, updated_by=by, year=year, **row)
            try:
                _save(record)
            except ActivityError as error:
                raise ImportRefused(
                    f"第 {line} 行：{error}没有导入任何数据。", [(line, str(error))]
                ) from None
        _event(
            agency, reg, m.EventKind.IMPORTED, by,
            year=year, file_name=filename[:255], rows=len(values), replaced=replaced,
        )  # fmt: skip
    return len(values)


def _duplicates(reg, values):
    """Rows a unique constraint of the model would refuse: reported by line."""
    errors = []
    for constraint in reg.model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        fields = [f for f in constraint.fields if f not in ("agency", "year")]
        seen = {}
        for line, row in values:
            key = tuple(_norm(row[f]) for f in fields)
            if key in seen:
                errors.append(
                    (line, f"与第 {seen[key]} 行重复（{constraint.violation_error_message}）")
                )
            seen.setdefault(key, line)
    return errors


def template_csv(key):
    """The header row of an import file, UTF-8 with BOM (Excel reads it)."""
    return "\ufeff" + ",".join(register(key).headers()) + "\r\n"
