"""整改 pages and downloads: a test per role per view (the supervising office, the
agency's own users, a researcher, an unrelated agency's office, no role, anonymous),
the 问题清单 exports, and 我的待办."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.rectification import workflow
from gongkai.rectification.models import Rectification, State

from .conftest import COUNTY_2025, TODAY

# office: 公安部's 政务公开办, which handed the item out; xian: 示范县's 政务公开办, which
# answers; xian_leader: 示范县's 分管领导 (reads); xian_handler: a 承办部门 (no library
# role); researcher: reads everything; county: 海宁's 政务公开办 (another branch);
# outsider: no role at all.
READERS = {"office", "xian", "xian_leader", "researcher"}
ROLES = ["office", "xian", "xian_leader", "xian_handler", "researcher", "county", "outsider"]


@pytest.fixture(autouse=True)
def _pinned_day(monkeypatch):
    from gongkai.rectification import views

    monkeypatch.setattr(views, "today", lambda: TODAY)


def as_user(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_list_per_role(client, item, rect_world, role):
    response = as_user(client, rect_world, role).get(reverse("rectification:index"))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    library_user = role in READERS | {"county"}
    assert response.status_code == (200 if library_user else 403)
    if library_user:
        assert (item.number in response.content.decode()) == (role in READERS)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_detail_per_role(client, item, rect_world, role):
    response = as_user(client, rect_world, role).get(
        reverse("rectification:detail", args=[item.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if role in READERS else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert "整改要求" in text
        assert ("提交答复" in text) == (role == "xian")
        assert "核验销号" not in text  # nothing answered yet


def _text_of(body, fmt):
    """All the text of an XLSX or DOCX download."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    from docx import Document

    doc = Document(io.BytesIO(body))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_problem_list_export_per_role(client, item, rect_world, role, fmt):
    response = as_user(client, rect_world, role).get(
        reverse("rectification:export", args=[fmt]), {"year": "2025"}
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if role in READERS | {"county"} else 403)
    if response.status_code != 200:
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = _text_of(body, fmt)
    assert "问题" in text
    assert ("示范县公安局" in text) == (role in READERS)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_hand_out_per_role(client, rect_world, item, role):
    """Only the supervising office opens the form and hands out 整改 (not the agency's
    own office, which may edit its report in the library)."""
    other = rect_world.report.findings.exclude(pk=rect_world.finding.pk).first()
    other.state = "confirmed"
    other.save()
    url = reverse("rectification:new", args=[rect_world.report.pk])
    c = as_user(client, rect_world, role)
    get = c.get(url)
    post = c.post(url, {"finding": [other.pk], "due_on": "2099-01-31"})
    if role == "anonymous":
        assert get.status_code == post.status_code == 302
        assert Rectification.objects.count() == 1
        return
    if role == "office":
        assert get.status_code == 200 and other.message in get.content.decode()
        assert post.status_code == 302 and Rectification.objects.count() == 2
    else:
        assert (get.status_code, post.status_code) == (403, 403)
        assert Rectification.objects.count() == 1


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_answer_per_role(client, item, rect_world, role):
    upload = SimpleUploadedFile("更正后.txt", COUNTY_2025.read_bytes())
    response = as_user(client, rect_world, role).post(
        reverse("rectification:answer", args=[item.pk]),
        {"explanation": "已更正表三", "file": upload},
    )
    item.refresh_from_db()
    if role == "xian":
        assert response.status_code == 302
        assert item.state == State.ANSWERED and item.report.version == 2
    else:
        assert response.status_code in (302, 403) and (role == "anonymous") == (
            response.status_code == 302
        )
        assert item.state == State.OPEN and item.report.version == 1


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_verify_per_role(client, item, rect_world, role):
    workflow.answer(item, "已核实，原文无误", rect_world.xian, today=TODAY)
    response = as_user(client, rect_world, role).post(
        reverse("rectification:verify", args=[item.pk]),
        {"decision": "close", "note": "认可说明"},
    )
    item.refresh_from_db()
    if role == "office":
        assert response.status_code == 302 and item.state == State.CLOSED
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert item.state == State.ANSWERED


def test_bad_input_is_explained_and_nothing_changes(client, item, rect_world):
    client.force_login(rect_world.xian)
    url = reverse("rectification:answer", args=[item.pk])
    page = client.post(url, {"explanation": ""}, follow=True).content.decode()
    assert "请填写整改说明" in page
    bad = SimpleUploadedFile("x.txt", "不是年报".encode())
    page = client.post(url, {"explanation": "更正", "file": bad}, follow=True).content.decode()
    assert "未能识别" in page
    item.refresh_from_db()
    assert item.state == State.OPEN and not item.answers.exists()
    client.force_login(rect_world.office)
    url = reverse("rectification:new", args=[rect_world.report.pk])
    response = client.post(url, {"finding": [], "due_on": "明天"})
    assert response.status_code == 400 and "请至少选择一项" in response.content.decode()


def test_library_report_page_shows_items_and_the_hand_out_link(client, item, rect_world):
    url = reverse("library:report", args=[rect_world.report.pk])
    client.force_login(rect_world.office)
    text = client.get(url).content.decode()
    assert item.number in text and "整改事项" in text
    client.force_login(rect_world.xian)
    text = client.get(url).content.decode()
    assert item.number in text and "交办整改" not in text


def test_inbox_lists_the_item_for_the_agency_then_the_supervisor(client, item, rect_world):
    client.force_login(rect_world.xian)
    text = client.get(reverse("inbox:index")).content.decode()
    assert "答复整改事项" in text and item.number in text
    client.force_login(rect_world.office)
    assert item.number not in client.get(reverse("inbox:index")).content.decode()
    workflow.answer(item, "已核实", rect_world.xian, today=TODAY)
    text = client.get(reverse("inbox:index")).content.decode()
    assert "核验整改答复" in text and item.number in text
    client.force_login(rect_world.xian)
    assert item.number not in client.get(reverse("inbox:index")).content.decode()


def test_overdue_items_are_marked(client, item, rect_world, monkeypatch):
    import datetime as dt

    from gongkai.rectification import views

    client.force_login(rect_world.office)
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 7, 3))  # due 30 June
    text = client.get(reverse("rectification:index")).content.decode()
    assert "已逾期 3 天" in text and "有 1 项已超过整改期限未答复" in text
    only = client.get(reverse("rectification:index"), {"overdue": "1"}).content.decode()
    assert item.number in only
    detail = client.get(reverse("rectification:detail", args=[item.pk])).content.decode()
    assert "已逾期 3 天" in detail
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 6, 30))  # the last day
    text = client.get(reverse("rectification:index")).content.decode()
    assert "已逾期" not in text and "超过整改期限" not in text


def test_list_and_export_do_not_query_per_item(client, item, rect_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(rect_world.office)

    def queries():
        counted = []
        for url in (reverse("rectification:index"), reverse("rectification:export", args=["xlsx"])):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            counted.append(len(ctx))
        return counted

    queries()  # the nav's in-tray count is kept from the first page on
    one = queries()
    for finding in rect_world.report.findings.exclude(pk=rect_world.finding.pk)[:3]:
        finding.state = "confirmed"
        finding.save()
        workflow.create([finding], TODAY.replace(month=7), "", rect_world.office, today=TODAY)
    assert Rectification.objects.count() == 4
    assert queries() == one


def test_a_sent_back_item_shows_the_reason_above_the_answer_form(client, item, rect_world):
    workflow.answer(item, "经核对无误", rect_world.xian, today=TODAY)
    workflow.send_back(item, "表三仍不平衡，请上传更正后的报告", rect_world.office, today=TODAY)
    client.force_login(rect_world.xian)
    text = client.get(reverse("rectification:detail", args=[item.pk])).content.decode()
    assert "退回重新整改：表三仍不平衡" in text and "提交答复" in text


@pytest.mark.parametrize("answered", [False, True])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_withdraw_per_role(client, item, rect_world, role, answered):
    """Only the office that handed the item out withdraws it, 待整改 or 待核验; the
    detail page offers the form to that office alone."""
    if answered:
        workflow.answer(item, "已核实", rect_world.xian, today=TODAY)
    c = as_user(client, rect_world, role)
    page = c.get(reverse("rectification:detail", args=[item.pk]))
    if page.status_code == 200:
        assert ("撤销这项整改事项" in page.content.decode()) == (role == "office")
    response = c.post(
        reverse("rectification:withdraw", args=[item.pk]), {"reason": "交办有误，另行交办"}
    )
    item.refresh_from_db()
    if role == "office":
        assert response.status_code == 302 and item.state == State.WITHDRAWN
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert item.state == (State.ANSWERED if answered else State.OPEN)
        assert not item.events.filter(kind="withdraw").exists()


def test_withdraw_without_reason_is_refused(client, item, rect_world):
    client.force_login(rect_world.office)
    url = reverse("rectification:withdraw", args=[item.pk])
    page = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "请填写撤销理由" in page
    item.refresh_from_db()
    assert item.state == State.OPEN
    assert client.get(url).status_code == 405


def test_a_withdrawn_item_leaves_the_inbox_and_shows_in_the_list(client, item, rect_world):
    w = rect_world
    client.force_login(w.xian)
    assert item.number in client.get(reverse("inbox:index")).content.decode()
    workflow.withdraw(item, "该问题系误判，撤销交办", w.office)
    for user in (w.xian, w.office):
        client.force_login(user)
        assert item.number not in client.get(reverse("inbox:index")).content.decode()
    # The agency sees why, and no answer form.
    client.force_login(w.xian)
    detail = client.get(reverse("rectification:detail", args=[item.pk])).content.decode()
    assert (
        "撤销了这项整改事项，机关无需再答复。<br>撤销理由：该问题系误判" in detail
        and "提交答复" not in detail
    )
    assert "撤销：该问题系误判，撤销交办" in detail  # the history
    page = client.post(
        reverse("rectification:answer", args=[item.pk]), {"explanation": "说明"}, follow=True
    ).content.decode()
    assert "已撤销" in page and not item.answers.exists()
    # 问题清单: shown with its reason, and filterable by 状态.
    client.force_login(w.office)
    listed = client.get(reverse("rectification:index")).content.decode()
    assert item.number in listed and "已撤销" in listed and "该问题系误判" in listed
    only = client.get(reverse("rectification:index"), {"state": "withdrawn"}).content.decode()
    assert item.number in only
    other = client.get(reverse("rectification:index"), {"state": "open"}).content.decode()
    assert item.number not in other
    body = client.get(reverse("rectification:export", args=["xlsx"]), {"state": "withdrawn"})
    text = _text_of(b"".join(body.streaming_content) if body.streaming else body.content, "xlsx")
    assert "已撤销" in text and "该问题系误判，撤销交办" in text
    # The report page's panel, and the finding may be handed out again.
    panel = client.get(reverse("library:report", args=[w.report.pk])).content.decode()
    assert "已撤销（该问题系误判" in panel and "交办整改（1 项已确认的问题）" in panel


def test_the_inbox_counts_overdue_days_as_the_list_does(client, item, rect_world, monkeypatch):
    import datetime as dt

    from gongkai.cases import views as case_views

    client.force_login(rect_world.xian)
    for day, shown in [(dt.date(2026, 7, 3), "已逾期 3 天"), (dt.date(2026, 6, 30), "今日到期"),
                       (dt.date(2026, 6, 20), "剩 10 天")]:  # fmt: skip
        monkeypatch.setattr(case_views, "today", lambda day=day: day)
        assert shown in client.get(reverse("inbox:index")).content.decode()
