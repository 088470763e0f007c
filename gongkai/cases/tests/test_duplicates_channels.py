"""重复申请 across channels (issue 14 part 6): the same person asking the same thing
online and by post is flagged, on the 登记 page and on both case pages, whatever the
order of the dates — identity normalised alike (ID digest, phone, e-mail)."""

import datetime as dt

import pytest
from django.test import Client

from gongkai import personal_data
from gongkai.cases import duplicates, views, workflow
from gongkai.cases.models import Case

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
CONTENT = "申请公开本局2023年城区道路交通事故统计数据"


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: D("2024-03-12"))


def online(world, **kw):
    fields = {
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "applicant_id_document": "居民身份证：11010519491231002X",
        "applicant_contact": "电话：138-0013-8000；电子邮箱：Zhang.San@Example.cn",
        "applicant_address": "",
        "content": CONTENT,
        "form_wanted": "electronic",
        "business_type": "traffic",
    }
    fields.update(kw)
    return workflow.submit_online(world.agency, submitted_on=D("2024-03-08"), **fields)


def register_letter(client, world, **kw):
    data = {
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "applicant_id_document": "11010519491231002x",
        "applicant_contact": "",
        "applicant_address": "某某市某某路2号",
        "channel": "letter",
        # Posted on 4 March, before the online request of 8 March; registered on 12 March.
        "submitted_on": "2024-03-04",
        "arrived_on": "2024-03-11",
        "confirmed_on": "",
        "content": CONTENT + "。",
        "form_wanted": "mail",
        "business_type": "traffic",
        "form_token": "t1",
    }
    data.update(kw)
    return client.post("/cases/new/", data)


def test_the_keys_are_kept_in_step_for_both_channels(world):
    case = online(world)
    assert (case.applicant_phone, case.applicant_email) == ("13800138000", "zhang.san@example.cn")
    assert case.applicant_id_digest == personal_data.digest("11010519491231002x")


def test_a_letter_posted_before_the_online_request_is_flagged_at_registration(world):
    first = online(world)
    client = Client()
    client.force_login(world.registrar)
    page = register_letter(client, world)
    assert page.status_code == 200
    matches = page.context["matches"]
    assert [(m.ref["tracking_number"], m.kind) for m in matches] == [
        (first.tracking_number, duplicates.REPEAT)
    ]
    assert Case.objects.count() == 1  # shown before saving; nothing registered yet


@pytest.mark.parametrize(
    "contact",
    ["+86 13800138000", "zhang.san@EXAMPLE.cn"],
    ids=["same phone, written differently", "same e-mail"],
)
def test_the_phone_or_e_mail_alone_finds_the_same_person(world, contact):
    first = online(world)
    client = Client()
    client.force_login(world.registrar)
    page = register_letter(client, world, applicant_id_document="", applicant_contact=contact)
    assert [m.kind for m in page.context["matches"]] == [duplicates.REPEAT]
    assert page.context["matches"][0].ref["pk"] == first.pk


def test_both_case_pages_show_the_other_request(world):
    first = online(world)
    client = Client()
    client.force_login(world.registrar)
    register_letter(client, world, duplicates_checked="on")
    second = Case.objects.exclude(pk=first.pk).get()
    for case, other in ((first, second), (second, first)):
        page = client.get(f"/cases/{case.tracking_number}/")
        assert [m.ref["pk"] for m in page.context["repeats"]] == [other.pk], case
        assert "可能的重复申请" in page.content.decode()


def test_someone_else_asking_the_same_is_not_a_repeat(world):
    online(world)
    client = Client()
    client.force_login(world.registrar)
    page = register_letter(
        client, world, applicant_name="李四", applicant_id_document="110105194912310038"
    )
    assert [m.kind for m in page.context["matches"]] == [duplicates.SIMILAR]
