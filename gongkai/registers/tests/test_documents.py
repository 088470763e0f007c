"""The document register: add, change, repeal, cancel a repeal; audited and checked."""

import datetime as dt

import pytest

from gongkai.registers import documents
from gongkai.registers.access import RegisterError
from gongkai.registers.models import Document, EventKind, RegisterEvent

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def add(world, by=None, **kw):
    kw.setdefault("kind", "normative_documents")
    kw.setdefault("title", "关于加强犬只管理的通告")
    kw.setdefault("number", "示公通〔2024〕1号")
    kw.setdefault("made_on", D("2024-03-01"))
    kw.setdefault("note", "")
    return documents.add_document(world.agency, by=by or world.office, **kw)


def test_adding_records_the_document_and_an_audit_event(world):
    document = add(world, title="  关于加强犬只管理的通告 ")
    assert document.title == "关于加强犬只管理的通告"
    (event,) = RegisterEvent.objects.filter(document=document)
    assert (event.kind, event.actor, event.data["made_on"]) == (
        EventKind.DOCUMENT_ADDED,
        world.office,
        "2024-03-01",
    )


@pytest.mark.parametrize(
    "role", ["registrar", "handler", "legal_reviewer", "office_head", "leader"]
)
def test_only_office_and_admin_may_change_the_register(world, role):
    with pytest.raises(RegisterError, match="需要.*的系统管理员、政务公开办（分办）角色"):
        add(world, by=getattr(world, role))
    assert add(world, by=world.admin).pk
    with pytest.raises(RegisterError):
        add(world, by=world.outsider, number="")
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "请填写文件名称"),
        ({"kind": "law"}, "请选择文件类别"),
        ({"made_on": None}, "请填写制发日期"),
        ({"title": "长" * 201}, "文件名称：.*200"),
    ],
)
def test_bad_facts_are_refused_in_chinese_and_nothing_is_written(world, fields, message):
    with pytest.raises(RegisterError, match=message):
        add(world, **fields)
    assert not Document.objects.exists() and not RegisterEvent.objects.exists()


def test_a_number_is_unique_within_the_agency_only(world, django_user_model):
    add(world)
    with pytest.raises(RegisterError, match="已登记过这个文号"):
        add(world, title="另一个文件")
    add(world, number="")
    add(world, number="", title="也没有文号")
    assert Document.objects.count() == 3


def test_repeal_checks_the_dates_and_is_audited(world):
    document = add(world)
    with pytest.raises(RegisterError, match="废止日期（2024-02-29）不能早于制发日期（2024-03-01）"):
        documents.repeal_document(document, by=world.office, repealed_on=D("2024-02-29"))
    document = documents.repeal_document(
        document, by=world.office, repealed_on=D("2024-03-01"), reason="示公通〔2024〕9号"
    )
    assert document.repealed_on == D("2024-03-01")
    with pytest.raises(RegisterError, match="已于 2024-03-01 标记废止"):
        documents.repeal_document(document, by=world.office, repealed_on=D("2024-05-01"))
    event = RegisterEvent.objects.get(kind=EventKind.DOCUMENT_REPEALED)
    assert event.data == {"repealed_on": "2024-03-01", "reason": "示公通〔2024〕9号"}


def test_a_viewer_may_not_repeal(world):
    document = add(world)
    with pytest.raises(RegisterError, match="标记废止"):
        documents.repeal_document(document, by=world.leader, repealed_on=D("2024-05-01"))
    document.refresh_from_db()
    assert document.repealed_on is None


def test_cancel_repeal_restores_the_document(world):
    document = documents.repeal_document(add(world), by=world.office, repealed_on=D("2024-05-01"))
    document = documents.cancel_repeal(document, by=world.admin, reason="误操作")
    assert document.repealed_on is None
    with pytest.raises(RegisterError, match="没有标记废止"):
        documents.cancel_repeal(document, by=world.admin)
    assert RegisterEvent.objects.get(kind=EventKind.REPEAL_CANCELLED).data["repealed_on"] == (
        "2024-05-01"
    )


def test_change_records_old_and_new_values_and_keeps_dates_in_order(world):
    document = add(world)
    fields = {f: getattr(document, f) for f in documents.FIELDS}
    document = documents.change_document(
        document, by=world.office, **{**fields, "title": "新名称", "made_on": D("2024-04-01")}
    )
    event = RegisterEvent.objects.get(kind=EventKind.DOCUMENT_CHANGED)
    assert event.data == {
        "title": ["关于加强犬只管理的通告", "新名称"],
        "made_on": ["2024-03-01", "2024-04-01"],
    }
    documents.change_document(document, by=world.office, **{**fields, "title": "新名称",
                              "made_on": D("2024-04-01")})  # fmt: skip
    assert RegisterEvent.objects.filter(kind=EventKind.DOCUMENT_CHANGED).count() == 1  # no-op
    documents.repeal_document(document, by=world.office, repealed_on=D("2024-06-01"))
    with pytest.raises(RegisterError, match="不能晚于该文件的废止日期"):
        documents.change_document(
            document, by=world.office, **{**fields, "made_on": D("2024-07-01")}
        )


def test_the_database_refuses_a_repeal_before_the_made_date(world):
    from django.db import IntegrityError

    document = add(world)
    with pytest.raises(IntegrityError):
        Document.objects.filter(pk=document.pk).update(repealed_on=D("2020-01-01"))


def test_audit_events_cannot_be_edited_or_deleted(world):
    event = RegisterEvent.objects.get(document=add(world))
    with pytest.raises(ValueError, match="只能新增"):
        event.save()
    with pytest.raises(ValueError, match="不能删除"):
        event.delete()
