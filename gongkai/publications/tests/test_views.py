import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.publications import views, workflow
from gongkai.publications.models import (
    ChannelPublication,
    Gate,
    Genre,
    Item,
    ItemRevision,
    ReviewCheck,
    Status,
)
from gongkai.publications.tests.factories import NOW, at, make_item, run_to

pytestmark = pytest.mark.django_db
ALL_USERS = [*Role.values, "other_handler", "outsider"]


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: NOW)


def client_for(client, user):
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"publications:{name}", args=args)


@pytest.fixture
def item(world):
    """A draft of the 治安支队, drafted by its handler."""
    return make_item(world.agency, world.handler, department=world.dept)


def reaches(world, name):
    """Whether this user reaches an item of world.dept (acting_on semantics)."""
    return name not in ("other_handler", "outsider")


# ---- access --------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, item):
    for target in (url("list"), url("detail", item.pk), url("create")):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_without_membership_gets_403_with_reason(client, item):
    client_for(client, User.objects.create_user("nobody"))
    for target in (url("list"), url("detail", item.pk), url("create")):
        response = client.get(target)
        assert response.status_code == 403
        assert "还没有分配到任何机关" in response.content.decode()


@pytest.mark.parametrize("name", ALL_USERS)
def test_list_and_detail_for_every_role(client, world, item, name):
    client_for(client, getattr(world, name))
    response = client.get(url("list"))
    assert response.status_code == 200
    listed = item.title in response.content.decode()
    assert listed == reaches(world, name)
    response = client.get(url("detail", item.pk))
    assert response.status_code == (200 if reaches(world, name) else 404)


@pytest.mark.parametrize("name", ALL_USERS)
def test_create_page_for_every_role(client, world, name):
    client_for(client, getattr(world, name))
    response = client.get(url("create"))
    drafter = name in ("info_officer", "office", "handler", "other_handler", "outsider")
    assert response.status_code == (200 if drafter else 403)
    if not drafter:
        assert "拟稿" in response.content.decode()


def test_attachment_download_hidden_from_other_department(client, world, item):
    client_for(client, world.other_handler)
    assert client.get(url("attachment_download", item.pk, 1)).status_code == 404


# ---- create / edit -------------------------------------------------------------------


def form_data(**kw):
    data = {
        "title": "关于2026年春节期间烟花爆竹燃放管理的通告",
        "document_number": "示公通〔2026〕3号",
        "written_on": "2026-02-02",
        "issuer": "",
        "disclosure_attribute": "proactive",
        "attribute_reason": "",
        "category": "public_order",
        "genre": "circular",
        "topic": "public_order",
        "interprets_index": "",
        "summary": "春节期间烟花爆竹燃放的时间、地点与禁放区域。",
        "body": "<p>为保障春节期间公共安全，现通告如下。</p>",
    }
    data.update(kw)
    return data


def test_info_officer_creates_a_draft(client, world):
    client_for(client, world.info_officer)
    response = client.post(url("create"), form_data())
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", item.pk)
    assert item.status == Status.DRAFT and item.created_by == world.info_officer
    assert item.issuer == world.agency.name
    assert item.publication_due_on == dt.date(2026, 3, 6)


def test_create_form_explains_errors_in_chinese(client, world):
    client_for(client, world.info_officer)
    response = client.post(
        url("create"),
        form_data(
            title="", written_on="2026-02-30", genre="poem", disclosure_attribute="not_disclosed"
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写标题。" in page
    assert "请按“2026-03-01”的格式填写日期。" in page
    assert "“体裁分类”的值无效" in page
    assert "认定为不予公开的，请填写理由和依据。" in page
    assert not Item.objects.exists()


def test_create_refused_by_workflow_shows_message(client, world):
    policy = make_item(world.agency, world.office)
    client_for(client, world.info_officer)
    response = client.post(url("create"), form_data(interprets_index=policy.index_number))
    assert response.status_code == 200
    assert "体裁分类应为“解读”或“图解”" in response.content.decode()
    response = client.post(url("create"), form_data(interprets_index="nope/2026-1"))
    assert "本机关没有索引号为“nope/2026-1”的信息" in response.content.decode()
    assert Item.objects.count() == 1


def test_handler_must_choose_own_department(client, world):
    client_for(client, world.handler)
    response = client.post(url("create"), form_data())
    assert "请选择起草部门。" in response.content.decode()
    response = client.post(url("create"), form_data(department=world.other_dept.pk))
    assert "您不能为它起草" in response.content.decode()
    response = client.post(url("create"), form_data(department=world.dept.pk))
    assert response.status_code == 302
    assert Item.objects.get().department == world.dept


@pytest.mark.parametrize("name", ALL_USERS)
def test_edit_for_every_role(client, world, item, name):
    client_for(client, getattr(world, name))
    response = client.post(
        url("edit", item.pk), form_data(title="新标题", department=world.dept.pk)
    )
    item.refresh_from_db()
    if name in ("info_officer", "office", "handler"):
        assert response.status_code == 302, response.context["form"].errors
        assert item.title == "新标题"
    else:
        assert response.status_code == (404 if not reaches(world, name) else 403)
        assert item.title != "新标题"


def test_edit_page_shows_current_values(client, world, item):
    client_for(client, world.handler)
    page = client.get(url("edit", item.pk)).content.decode()
    assert item.title in page and "2026-02-02" in page


# ---- review steps for every role -----------------------------------------------------

STEPS = {
    # step url: (status the item must be in, POST data, roles that may, status after)
    "submit": ("draft", {}, {"info_officer", "office", "handler"}, "submitted"),
    "first_review": (
        "submitted",
        {"decision": "pass"},
        {"office"},
        "secrecy_review",
    ),
    "secrecy_review": (
        "secrecy_review",
        {f"{g}_passed": "yes" for g in Gate.values},
        {"secrecy_reviewer"},
        "approval",
    ),
    "approve": ("approval", {"decision": "pass"}, {"leader", "office_head"}, "approved"),
    "publish": ("approved", {"when": "now"}, {"office"}, "published"),
}


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("name", ALL_USERS)
def test_review_steps_for_every_role(client, world, item, step, name):
    start, data, allowed, after = STEPS[step]
    if start != "draft":
        item = run_to(item, world, start)
    client_for(client, getattr(world, name))
    response = client.post(url(step, item.pk), data)
    item.refresh_from_db()
    if name in allowed:
        assert response.status_code == 302
        assert item.status == after
    else:
        assert response.status_code == (403 if reaches(world, name) else 404)
        assert item.status == start
        if response.status_code == 403:
            assert "权限" in response.content.decode()


def test_review_panel_shown_only_to_the_role_whose_turn_it_is(client, world, item):
    item = run_to(item, world, "secrecy_review")
    client_for(client, world.secrecy_reviewer)
    page = client.get(url("detail", item.pk)).content.decode()
    for gate in Gate:
        assert gate.label in page
    assert "提交保密审查结论" in page
    client_for(client, world.office)
    page = client.get(url("detail", item.pk)).content.decode()
    assert "提交保密审查结论" not in page
    assert "您没有需要处理的环节" in page


def test_secrecy_form_failed_gate_needs_comment_then_returns(client, world, item):
    item = run_to(item, world, "secrecy_review")
    client_for(client, world.secrecy_reviewer)
    data = {f"{g}_passed": "yes" for g in Gate.values}
    data["secrecy_passed"] = "no"
    response = client.post(url("secrecy_review", item.pk), data, follow=True)
    assert "保密关不通过时请填写审查意见。" in response.content.decode()
    assert not ReviewCheck.objects.exists()
    data["secrecy_comment"] = "涉及警力部署"
    response = client.post(url("secrecy_review", item.pk), data, follow=True)
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    page = response.content.decode()
    assert "保密审查未通过，已退回修改。" in page
    assert "涉及警力部署" in page


def test_secrecy_form_missing_gate(client, world, item):
    item = run_to(item, world, "secrecy_review")
    client_for(client, world.secrecy_reviewer)
    response = client.post(url("secrecy_review", item.pk), {"political_passed": "yes"}, follow=True)
    assert "请对法律关作出结论。" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.SECRECY_REVIEW


def test_first_review_return_needs_comment(client, world, item):
    item = run_to(item, world, "submitted")
    client_for(client, world.office)
    response = client.post(url("first_review", item.pk), {"decision": "return"}, follow=True)
    assert "退回修改时请填写意见" in response.content.decode()
    response = client.post(
        url("first_review", item.pk), {"decision": "return", "comment": "补充文号"}, follow=True
    )
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_step_in_wrong_state_is_explained(client, world, item):
    client_for(client, world.office)
    response = client.post(url("publish", item.pk), {"when": "now"}, follow=True)
    assert "当前状态为“草稿”，不能进行“发布”" in response.content.decode()


def test_scheduled_publication(client, world, item):
    item = run_to(item, world, "approved")
    client_for(client, world.office)
    response = client.post(url("publish", item.pk), {"when": "later", "at": "2026-02-09T10:00"})
    item.refresh_from_db()
    assert item.status == Status.APPROVED  # in the past: refused
    response = client.post(
        url("publish", item.pk), {"when": "later", "at": "2026-02-12T08:30"}, follow=True
    )
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert item.published_at == at("2026-02-12 08:30")
    assert "已定时发布，将于 2026-02-12 08:30 对公众可见" in response.content.decode()
    page = client.get(url("detail", item.pk)).content.decode()
    assert "定时发布" in page and "公众可见" not in page


# ---- published items: correct, withdraw, channels ------------------------------------


@pytest.fixture
def published(world, item):
    return run_to(item, world, "published")


@pytest.mark.parametrize("name", ALL_USERS)
def test_correct_and_withdraw_for_every_role(client, world, published, name):
    client_for(client, getattr(world, name))
    for step in ("correct", "withdraw"):
        response = client.get(url(step, published.pk))
        if name == "office":
            assert response.status_code == 200
        else:
            assert response.status_code == (403 if reaches(world, name) else 404)


def test_correct_form(client, world, published):
    client_for(client, world.office)
    data = {
        "reason": "文号录入错误",
        "title": published.title,
        "document_number": "示公通〔2026〕4号",
        "written_on": "2026-02-02",
        "issuer": published.issuer,
        "category": published.category,
        "genre": published.genre,
        "topic": published.topic,
        "summary": published.summary,
        "body": published.body,
    }
    response = client.post(url("correct", published.pk), dict(data, reason=""))
    assert "请填写更正理由。" in response.content.decode()
    response = client.post(url("correct", published.pk), dict(data, body="<p>全新的内容。</p>"))
    assert "一事一审" in response.content.decode()
    response = client.post(url("correct", published.pk), data)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.document_number == "示公通〔2026〕4号" and published.version == 2
    page = client.get(url("detail", published.pk)).content.decode()
    assert "第 1 版" in page and "文号录入错误" in page


def test_withdraw_form(client, world, published):
    client_for(client, world.office)
    response = client.post(url("withdraw", published.pk), {"reason": ""})
    assert "请填写撤回理由。" in response.content.decode()
    response = client.post(url("withdraw", published.pk), {"reason": "已被新通告替代"})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Status.WITHDRAWN
    assert not Item.objects.public(NOW).exists()
    page = client.get(url("detail", published.pk)).content.decode()
    assert "已被新通告替代" in page and "发布" in page  # the history is still shown


@pytest.mark.parametrize("name", ALL_USERS)
def test_channel_record_for_every_role(client, world, published, name):
    client_for(client, getattr(world, name))
    response = client.post(
        url("channel", published.pk),
        {"channel": "wechat", "published_on": "2026-02-10", "url": "https://mp.weixin.qq.com/s/x"},
    )
    if name in ("office", "info_officer"):
        assert response.status_code == 302
        assert ChannelPublication.objects.count() == 1
    else:
        assert response.status_code == (403 if reaches(world, name) else 404)
        assert not ChannelPublication.objects.exists()


def test_channel_form_errors(client, world, published):
    client_for(client, world.office)
    response = client.post(
        url("channel", published.pk),
        {"channel": "weibo", "published_on": "2026-02-10", "url": "javascript:alert(1)"},
        follow=True,
    )
    assert "网址无效" in response.content.decode()
    response = client.post(url("channel", published.pk), {"channel": ""}, follow=True)
    assert "请填写渠道。" in response.content.decode()
    assert not ChannelPublication.objects.exists()


# ---- list: tabs, filters, pagination -------------------------------------------------


def test_tabs(client, world):
    draft = make_item(
        world.agency, world.info_officer, title="草稿甲", written_on=dt.date(2026, 1, 5)
    )
    waiting = run_to(
        make_item(world.agency, world.info_officer, title="待初审乙"), world, "submitted"
    )
    pub = run_to(make_item(world.agency, world.info_officer, title="已发布丙"), world, "published")
    gone = run_to(make_item(world.agency, world.info_officer, title="已撤回丁"), world, "published")
    workflow.withdraw(gone, by=world.office, now=NOW, reason="过时")

    def titles(user, tab):
        client_for(client, user)
        response = client.get(url("list"), {"tab": tab})
        assert response.status_code == 200
        page = response.content.decode()
        return {t for t in ("草稿甲", "待初审乙", "已发布丙", "已撤回丁") if t in page}

    assert titles(world.info_officer, "mine") == {"草稿甲"}
    assert titles(world.office, "mine") == {"待初审乙"}
    assert titles(world.secrecy_reviewer, "mine") == set()
    assert titles(world.office, "overdue") == {"草稿甲"}  # 成文 2026-01-05, due 2026-02-02
    assert titles(world.office, "published") == {"已发布丙"}
    assert titles(world.office, "withdrawn") == {"已撤回丁"}
    assert titles(world.office, "all") == {"草稿甲", "待初审乙", "已发布丙", "已撤回丁"}
    client_for(client, world.office)
    page = client.get(url("list"), {"tab": "overdue"}).content.decode()
    assert "逾期未公开" in page and "2026-02-02" in page
    page = client.get(url("detail", draft.pk)).content.decode()
    assert "逾期未公开" in page and "2026-02-02" in page
    assert pub and waiting


def test_empty_states(client, world):
    client_for(client, world.office)
    assert "还没有主动公开信息" in client.get(url("list")).content.decode()
    assert "没有逾期未公开的信息" in client.get(url("list"), {"tab": "overdue"}).content.decode()
    assert "没有等待您处理" in client.get(url("list"), {"tab": "mine"}).content.decode()
    page = client.get(url("list"), {"q": "不存在的标题"}).content.decode()
    assert "没有符合条件的信息" in page


def test_filters(client, world):
    make_item(
        world.agency, world.office, title="交通管制的通告", category="traffic", genre="circular"
    )
    make_item(
        world.agency,
        world.office,
        title="户籍办理指南",
        category="licensing",
        genre="other",
        topic="household",
        written_on=dt.date(2025, 6, 1),
    )
    client_for(client, world.office)

    def titles(**params):
        page = client.get(url("list"), params).content.decode()
        return {t for t in ("交通管制的通告", "户籍办理指南") if t in page}

    assert titles(q="交通") == {"交通管制的通告"}
    assert titles(category="licensing") == {"户籍办理指南"}
    assert titles(genre="circular") == {"交通管制的通告"}
    assert titles(topic="household") == {"户籍办理指南"}
    assert titles(status="draft") == {"交通管制的通告", "户籍办理指南"}
    assert titles(written_from="2026-01-01") == {"交通管制的通告"}
    assert titles(written_to="2025-12-31") == {"户籍办理指南"}


def test_bad_filters_are_explained(client, world):
    client_for(client, world.office)
    response = client.get(url("list"), {"written_from": "2026-03-01", "written_to": "2026-01-01"})
    assert response.status_code == 400
    assert "晚于截止日" in response.content.decode()
    response = client.get(url("list"), {"status": "bogus", "written_from": "yesterday"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“状态”的值无效" in page and "请按“2026-03-01”的格式填写日期。" in page


def test_pagination_50(client, world):
    from gongkai.bench.data import items as generate

    generate.generate(world.agency, 51, seed=1)
    client_for(client, world.office)
    page = client.get(url("list")).content.decode()
    assert "共 51 条，第 1/2 页" in page and "下一页" in page
    assert page.count("<tr") == 51  # header + 50
    page = client.get(url("list"), {"page": 2}).content.decode()
    assert page.count("<tr") == 2


# ---- hostile input is stored safely and escaped --------------------------------------

SCRIPT = '<script>alert("x")</script>'


def test_script_in_every_text_field_is_escaped(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(
        world.agency,
        world.info_officer,
        title=f"标题{SCRIPT}",
        document_number=f"文号{SCRIPT}",
        issuer=f"机关{SCRIPT}",
        summary=f"概述{SCRIPT}",
        body=f'<p onmouseover="alert(1)">正文</p>{SCRIPT}<a href="javascript:alert(1)">链接</a>',
    )
    assert "<script" not in item.body and "onmouseover" not in item.body
    assert "javascript:" not in item.body
    assert item.title == f"标题{SCRIPT}"  # kept as typed, escaped on output
    from django.core.files.uploadedfile import SimpleUploadedFile

    workflow.attach(
        item,
        by=world.info_officer,
        now=NOW,
        file=SimpleUploadedFile(f"{SCRIPT}.txt", "说明".encode(), content_type="text/html"),
    )
    item = run_to(item, world, "published")
    workflow.record_channel(
        item,
        by=world.office,
        now=NOW,
        channel="other",
        published_on=dt.date(2026, 2, 10),
        note=f"渠道{SCRIPT}",
    )
    workflow.correct(item, by=world.office, now=NOW, reason=f"理由{SCRIPT}", title="新标题")
    client_for(client, world.office)
    for target in (url("detail", item.pk), url("list")):
        page = client.get(target).content.decode()
        assert "<script>alert" not in page
        assert "onmouseover" not in page
    page = client.get(url("detail", item.pk)).content.decode()
    assert "&lt;script&gt;" in page
    assert "正文" in page and "链接" in page


def test_attachment_upload_download_and_delete(client, world, item, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client_for(client, world.handler)
    fake = SimpleUploadedFile("通告.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(url("attachment_upload", item.pk), {"file": fake}, follow=True)
    assert "与扩展名不符" in response.content.decode()
    assert not item.attachments.exists()
    pdf = SimpleUploadedFile("通告.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(url("attachment_upload", item.pk), {"file": pdf})
    row = item.attachments.get()
    assert row.name == "通告.pdf" and row.content_type == "application/pdf"
    response = client.get(url("attachment_download", item.pk, row.pk))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client_for(client, world.leader)
    response = client.post(url("attachment_delete", item.pk, row.pk))
    assert response.status_code == 403
    client_for(client, world.handler)
    response = client.post(url("attachment_delete", item.pk, row.pk))
    assert response.status_code == 302
    assert not item.attachments.exists()


def test_interpretation_links_on_item_page(client, world):
    policy = make_item(world.agency, world.office, title="政策原文")
    reading = make_item(
        world.agency, world.office, title="政策解读", genre=Genre.INTERPRETATION, interprets=policy
    )
    client_for(client, world.office)
    assert "政策解读" in client.get(url("detail", policy.pk)).content.decode()
    assert "政策原文" in client.get(url("detail", reading.pk)).content.decode()


def test_revision_history_visible_after_correction(client, world, published):
    later = at("2026-02-11 14:25")
    workflow.correct(published, by=world.office, now=later, reason="错字", title="更正后的标题")
    assert ItemRevision.objects.count() == 1
    client_for(client, world.leader)
    page = client.get(url("detail", published.pk)).content.decode()
    assert "更正后的标题" in page and "关于2026年春节期间烟花爆竹燃放管理的通告" in page
    # the history shows when each step was taken, not when the row happened to be written
    assert '<time datetime="2026-02-11T14:25:00+08:00"' in page


@pytest.mark.parametrize("name", ALL_USERS)
def test_attachment_views_for_every_role(client, world, item, name, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    row = workflow.attach(
        item, by=world.handler, now=NOW, file=SimpleUploadedFile("a.txt", "说明".encode())
    )
    client_for(client, getattr(world, name))
    download = client.get(url("attachment_download", item.pk, row.pk))
    upload = client.post(
        url("attachment_upload", item.pk), {"file": SimpleUploadedFile("b.txt", b"ok")}
    )
    delete = client.post(url("attachment_delete", item.pk, row.pk))
    if not reaches(world, name):
        assert (download.status_code, upload.status_code, delete.status_code) == (404, 404, 404)
    elif name in ("info_officer", "office", "handler"):
        assert download.status_code == 200
        assert (upload.status_code, delete.status_code) == (302, 302)
        assert list(item.attachments.values_list("name", flat=True)) == ["b.txt"]
    else:
        assert download.status_code == 200  # everyone who sees the item sees its files
        assert (upload.status_code, delete.status_code) == (403, 403)
        assert list(item.attachments.values_list("name", flat=True)) == ["a.txt"]


# ---- 定时发布: reschedule / unschedule -------------------------------------------------

LATER = at("2026-02-12 08:30")


@pytest.fixture
def scheduled(world, item):
    return run_to(item, world, "published", at_time=LATER)


def schedule_post(seen=LATER, **kw):
    return {"seen_at": seen.isoformat(), **kw}


def test_scheduled_item_page_offers_reschedule_and_cancel_to_office(client, world, scheduled):
    client_for(client, world.office)
    page = client.get(url("detail", scheduled.pk)).content.decode()
    assert (
        '定于 <strong class="scheduled-at">2026-02-12 08:30</strong> 发布，届时公众才能看到' in page
    )
    assert 'value="2026-02-12T08:30"' in page  # the new-time field starts at the old time
    assert "调整发布时间" in page and "取消定时发布" in page
    client_for(client, world.leader)
    page = client.get(url("detail", scheduled.pk)).content.decode()
    assert "调整发布时间" not in page and "取消定时发布" not in page


def test_public_item_page_has_no_schedule_form(client, world, item):
    item = run_to(item, world, "published")
    client_for(client, world.office)
    page = client.get(url("detail", item.pk)).content.decode()
    assert "调整发布时间" not in page and "取消定时发布" not in page


@pytest.mark.parametrize("step", ["reschedule", "unschedule"])
@pytest.mark.parametrize("name", ALL_USERS)
def test_schedule_changes_for_every_role(client, world, scheduled, step, name):
    client_for(client, getattr(world, name))
    response = client.post(url(step, scheduled.pk), schedule_post(at="2026-02-13T10:00"))
    scheduled.refresh_from_db()
    if name == "office":
        assert response.status_code == 302
        assert response["Location"].endswith("#schedule" if step == "reschedule" else "#publish")
        assert scheduled.published_at == (at("2026-02-13 10:00") if step == "reschedule" else None)
    else:
        assert response.status_code == (403 if reaches(world, name) else 404)
        assert scheduled.published_at == LATER and scheduled.status == Status.PUBLISHED
        if response.status_code == 403:
            assert "权限" in response.content.decode()


def test_reschedule_form(client, world, scheduled):
    client_for(client, world.office)

    def post(**data):
        response = client.post(url("reschedule", scheduled.pk), data, follow=True)
        scheduled.refresh_from_db()
        return response.content.decode()

    assert "请填写新的发布时间。" in post(**schedule_post())
    assert "请按“2026-03-01 09:00”的格式填写发布时间。" in post(**schedule_post(at="下周一"))
    assert "新的发布时间应晚于现在" in post(**schedule_post(at="2026-02-10T08:00"))
    assert "无需调整" in post(**schedule_post(at="2026-02-12T08:30"))
    assert scheduled.published_at == LATER
    page = post(**schedule_post(at="2026-02-13T10:00"))
    assert scheduled.published_at == at("2026-02-13 10:00")
    assert "已调整定时发布，将于 2026-02-13 10:00 对公众可见。" in page
    assert "调整定时发布" in page and "原定 2026-02-12 08:30" in page  # in the history


def test_stale_schedule_page_is_refused(client, world, scheduled):
    """A page opened before someone else changed the time cannot override the change."""
    client_for(client, world.office)
    response = client.post(url("reschedule", scheduled.pk), {"at": "2026-02-13T10:00"}, follow=True)
    assert "页面已过期" in response.content.decode()
    response = client.post(
        url("unschedule", scheduled.pk), {"seen_at": "2026-02-12 08:30"}, follow=True
    )
    assert "页面已过期" in response.content.decode()  # no time zone: not from our page
    workflow.reschedule(scheduled, by=world.office, now=NOW, at=at("2026-02-14 09:00"))
    for step in ("reschedule", "unschedule"):
        response = client.post(
            url(step, scheduled.pk), schedule_post(at="2026-02-13T10:00"), follow=True
        )
        assert "已被他人改为 2026-02-14 09:00，请刷新页面" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.published_at == at("2026-02-14 09:00")
    assert scheduled.status == Status.PUBLISHED


def test_unschedule_then_publish_now(client, world, scheduled):
    client_for(client, world.office)
    response = client.post(url("unschedule", scheduled.pk), schedule_post(), follow=True)
    page = response.content.decode()
    assert "已取消定时发布，信息回到“待发布”，可以重新发布。" in page
    scheduled.refresh_from_db()
    assert scheduled.status == Status.APPROVED and scheduled.published_at is None
    assert "立即发布" in page  # the publish form is back
    response = client.post(url("unschedule", scheduled.pk), schedule_post(), follow=True)
    assert "当前状态为“待发布”，不能进行“取消定时发布”" in response.content.decode()
    client.post(url("publish", scheduled.pk), {"when": "now"})
    scheduled.refresh_from_db()
    assert scheduled.is_public(NOW)


# ---- title search (trigram indexes on PostgreSQL: migrations/0004) --------------------


def test_title_search_on_every_database(client, world):
    """Substring, case-insensitive, by title or 索引号; LIKE wildcards are literal."""
    titles = [
        "关于开展冬季道路交通安全整治的通告",
        "ETC Lane 收费标准调整公告",
        "100%实名制寄递管理办法",
        "户籍_迁移办理指南",
    ]
    items = {t: make_item(world.agency, world.office, title=t) for t in titles}
    client_for(client, world.office)

    def found(q):
        response = client.get(url("list"), {"q": q})
        assert response.status_code == 200
        page = response.content.decode()
        return {t for t in titles if t in page}

    assert found("道路交通安全") == {titles[0]}  # three or more characters: indexed
    assert found("交通") == {titles[0]}  # two: scanned, same answer
    assert found("etc lane") == {titles[1]}
    assert found("ETC LANE") == {titles[1]}
    assert found("100%实名") == {titles[2]}
    assert found("%") == {titles[2]}  # a literal percent sign, not "anything"
    assert found("_") == {titles[3]}
    assert found("户籍迁移") == set()
    assert found(items[titles[3]].index_number) == {titles[3]}
    assert found(items[titles[3]].index_number.upper()) == {titles[3]}
    assert found("不存在的标题") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="只有 PostgreSQL 有 pg_trgm 索引")
def test_title_search_has_trigram_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'publications_item'"
            " AND indexname LIKE '%%_trgm'"
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "publications_item_title_trgm",
        "publications_item_index_number_trgm",
    }
    assert all("gin_trgm_ops" in definition for definition in indexes.values())


# ---- the steps posted from the item page (views.ACTIONS) ------------------------------


def test_every_step_url_is_post_only_and_needs_login(client, world, item):
    """Each URL of views.ACTIONS: anonymous → login page; GET → 405, nothing changes."""
    names = list(views.ACTIONS)
    assert len(names) == 10
    for name in names:
        args = (item.pk, 1) if name == "attachment_delete" else (item.pk,)
        response = client.post(url(name, *args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client_for(client, world.office)
    for name in names:
        args = (item.pk, 1) if name == "attachment_delete" else (item.pk,)
        assert client.get(url(name, *args)).status_code == 405
    assert [e.kind for e in item.events.all()] == ["create"]


# ---- export (issue 14 part 7) ----------------------------------------------------------


def _export_rows(response):
    import csv
    import io

    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_item_list_exports_with_its_filters(client, world):
    import io

    import openpyxl

    from gongkai.publications.tests.factories import make_item

    make_item(world.agency, world.info_officer, title="关于烟花爆竹燃放管理的通告")
    make_item(world.agency, world.info_officer, title="=cmd|' /C calc'!A0")
    client.force_login(world.office)
    header, *rows = _export_rows(client.get("/publications/export/csv/"))
    assert header[:2] == ["索引号", "标题"]
    titles = sorted(r[1] for r in rows)
    assert titles == ["'=cmd|' /C calc'!A0", "关于烟花爆竹燃放管理的通告"]
    response = client.get("/publications/export/xlsx/?status=draft&q=烟花")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "关于烟花爆竹燃放管理的通告"
    ]


def test_the_item_export_reaches_only_the_users_agency(client, world):
    from gongkai.publications.tests.factories import make_item

    make_item(world.agency, world.info_officer)
    client.force_login(world.outsider)
    _, *rows = _export_rows(client.get("/publications/export/csv/"))
    assert rows == []


def test_the_item_export_needs_a_login_and_a_known_format(client, world):
    assert client.get("/publications/export/csv/").status_code == 302
    client.force_login(world.office)
    assert client.get("/publications/export/doc/").status_code == 404
