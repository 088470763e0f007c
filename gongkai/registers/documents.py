"""Changes to the register of 规章 and 行政规范性文件: one atomic, audited function each.

Every function checks the actor's role (access.EDIT_ROLES), validates the facts
with Chinese messages (RegisterError), locks the row it changes, saves only the
fields it changes and writes one RegisterEvent. Nothing is half-written.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from .access import RegisterError, require_edit
from .models import Document, DocumentKind, EventKind, RegisterEvent

FIELDS = ("kind", "title", "number", "made_on", "note")


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _event(document, kind, by, data):
    data = {k: _iso(v) for k, v in data.items()}
    RegisterEvent.objects.create(
        agency_id=document.agency_id, kind=kind, actor=by, document=document, data=data
    )


def _clean(fields):
    """Strip text, check what is required; returns the cleaned dict."""
    out = {k: fields.get(k) for k in FIELDS}
    for key in ("title", "number", "note"):
        out[key] = str(out[key] or "").strip()
    if out["kind"] not in DocumentKind.values:
        raise RegisterError("请选择文件类别：规章或行政规范性文件。")
    if not out["title"]:
        raise RegisterError("请填写文件名称。")
    if out["made_on"] is None:
        raise RegisterError("请填写制发日期。")
    return out


def _describe(error):
    parts = []
    for name, messages in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            parts += messages
        else:
            label = Document._meta.get_field(name).verbose_name
            parts += [f"{label}：{m}" for m in messages]
    return "".join(parts)


def _save(document, fields=None):
    """full_clean (constraints with Chinese messages), then save; RegisterError on failure."""
    try:
        document.full_clean()
        with transaction.atomic():
            document.save(update_fields=fields)
    except ValidationError as error:
        raise RegisterError(_describe(error)) from None
    except IntegrityError:  # a concurrent insert of the same 文号
        raise RegisterError("本机关已登记过这个文号的文件。") from None


@transaction.atomic
def add_document(agency, *, by, **fields):
    """登记文件: a 规章 or 行政规范性文件 the agency made (Art. 20(一))."""
    require_edit(by, agency, EventKind.DOCUMENT_ADDED.label)
    document = Document(agency=agency, **_clean(fields))
    _save(document)
    _event(document, EventKind.DOCUMENT_ADDED, by, {k: getattr(document, k) for k in FIELDS})
    return document


@transaction.atomic
def enter_published_item(item, *, by):
    """登记 a published 行政规范性文件 (Item.enters_document_register) in its agency's
    register, so that table 二's 本年制发/现行有效 count what the portal shows
    (Art. 20(一)); 制发日期 is the item's 成文日期.

    Called by the 发布 step (publications.workflow), whose role check covers it.
    Idempotent: an item already entered is left as it is; a document already
    registered by hand with the same 文号 is the same document and is linked to the
    item, not entered twice. Returns the Document, or None for any other item.
    """
    if not item.enters_document_register():
        return None
    entered = Document.objects.filter(source_item=item).first()
    if entered is not None:
        return entered
    number = (item.document_number or "").strip()
    same = (
        Document.objects.select_for_update().filter(agency_id=item.agency_id, number=number).first()
        if number
        else None
    )
    if same is not None:
        if same.source_item_id is None:
            same.source_item = item
            same.save(update_fields=["source_item", "updated_at"])
            _event(same, EventKind.DOCUMENT_CHANGED, by, {"source_item": item.index_number})
        return same
    document = Document(
        agency_id=item.agency_id,
        kind=DocumentKind.NORMATIVE_DOCUMENTS,
        title=item.title.strip()[:200],
        number=number,
        made_on=item.written_on,
        note=f"随主动公开信息 {item.index_number} 发布登记。",
        source_item=item,
    )
    _save(document)
    _event(
        document,
        EventKind.DOCUMENT_ADDED,
        by,
        {**{k: getattr(document, k) for k in FIELDS}, "source_item": item.index_number},
    )
    return document


def _lock(document):
    return Document.objects.select_for_update().select_related("agency").get(pk=document.pk)


@transaction.atomic
def change_document(document, *, by, **fields):
    """修改文件: correct its facts; the repeal date is changed only by repeal/cancel."""
    document = _lock(document)
    require_edit(by, document.agency, EventKind.DOCUMENT_CHANGED.label)
    new = _clean(fields)
    if document.repealed_on and new["made_on"] > document.repealed_on:
        raise RegisterError(
            f"制发日期（{new['made_on']}）不能晚于该文件的废止日期（{document.repealed_on}）。"
        )
    changed = {k: (getattr(document, k), v) for k, v in new.items() if getattr(document, k) != v}
    if not changed:
        return document
    for key, (_old, value) in changed.items():
        setattr(document, key, value)
    _save(document, [*changed, "updated_at"])
    _event(
        document,
        EventKind.DOCUMENT_CHANGED,
        by,
        {k: [_iso(old), _iso(value)] for k, (old, value) in changed.items()},
    )
    return document


@transaction.atomic
def repeal_document(document, *, by, repealed_on, reason=""):
    """标记废止: from `repealed_on` on, the document no longer counts as in force."""
    document = _lock(document)
    require_edit(by, document.agency, EventKind.DOCUMENT_REPEALED.label)
    if repealed_on is None:
        raise RegisterError("请填写废止日期。")
    if document.repealed_on is not None:
        raise RegisterError(
            f"“{document.title}”已于 {document.repealed_on} 标记废止；"
            "如日期有误，请先撤销废止标记再重新标记。"
        )
    if repealed_on < document.made_on:
        raise RegisterError(
            f"废止日期（{repealed_on}）不能早于制发日期（{document.made_on}），请检查后重新填写。"
        )
    document.repealed_on = repealed_on
    _save(document, ["repealed_on", "updated_at"])
    _event(
        document,
        EventKind.DOCUMENT_REPEALED,
        by,
        {"repealed_on": repealed_on, "reason": reason.strip()},
    )
    return document


@transaction.atomic
def cancel_repeal(document, *, by, reason=""):
    """撤销废止标记: the repeal was recorded by mistake."""
    document = _lock(document)
    require_edit(by, document.agency, EventKind.REPEAL_CANCELLED.label)
    if document.repealed_on is None:
        raise RegisterError(f"“{document.title}”没有标记废止，无需撤销。")
    was = document.repealed_on
    document.repealed_on = None
    _save(document, ["repealed_on", "updated_at"])
    data = {"repealed_on": was, "reason": reason.strip()}
    _event(document, EventKind.REPEAL_CANCELLED, by, data)
    return document
