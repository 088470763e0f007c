"""The legal officer's 复议 in headless chromium: record it on a replied case, see its
deadline on the list, submit the answer with its file, record a 纠正; the case reopens,
the handler drafts again, the new reply goes out; table 四 changes and the checker
finds no error. (No 待办 page exists yet: the deadline is checked on the list.)"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongkai.appeals import views as appeal_views
from gongkai.appeals.models import Appeal
from gongkai.attachments.tests import files
from gongkai.cases import views as case_views
from gongkai.cases.models import Case
from gongkai.cases.tests.browsing import fill, login, with_passwords
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.cases.tests.test_browser_walkthrough import cell, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date.fromisoformat
TODAY = D("2024-10-09")


@pytest.fixture
def people(world, settings, monkeypatch):
    with_passwords(world, settings)
    monkeypatch.setattr(case_views, "today", lambda: TODAY)
    monkeypatch.setattr(appeal_views, "today", lambda: TODAY)
    return world


def table_four(page):
    page.goto("/cases/report/?year=2024")
    expect(page.locator("#report-ok")).to_be_visible()  # the checker finds no error
    return {c: cell(page, f"appeals.reconsideration/{c}") for c in ("corrected", "pending")}


def test_a_corrected_reconsideration_reopens_the_case_for_a_new_reply(page, people):
    w = people
    case = make_case(w.agency, w.registrar, submitted_on=D("2024-08-26"))
    case = run_to(case, w, "delivered", outcome="denied.state_secret", on=D("2024-09-02"))
    url = f"/cases/{case.tracking_number}/"

    login(page, w.office_head)  # the report is the office's and the heads'
    assert table_four(page) == {"corrected": 0, "pending": 0}
    login(page, w.legal_reviewer)
    page.goto(url)
    page.locator("#appeals").get_by_role("link", name="登记行政复议/行政诉讼").click()
    form = page.locator("form.card")
    fill(
        form, {"类型": "行政复议", "复议机关/法院": "示范市人民政府", "申请/起诉日期": "2024-09-20"}
    )
    fill(form, {"收到答复通知书/应诉通知书日期": "2024-09-27", "案号": "示府复〔2024〕18号"})
    form.get_by_role("button", name="登记").click()
    expect(page.locator(".messages")).to_contain_text("已登记行政复议")
    # 10 working days from 27 Sep over 国庆 (行政复议法第四十八条、第八十八条)
    expect(page.locator("#appeal-due")).to_contain_text("2024-10-16")
    page.screenshot(path="/tmp/appeals-detail.png", full_page=True)

    page.goto("/appeals/")
    row = page.locator("#appeal-table tbody tr").first
    expect(row.locator("td.due")).to_contain_text("2024-10-16")
    expect(row).to_contain_text("向复议机关提交书面答复及证据")
    page.screenshot(path="/tmp/appeals-list.png", full_page=True)
    # ... and in the legal officer's 我的待办 (issue 15: "see its deadline in 待办").
    page.goto("/inbox/")
    inbox = page.locator("section#appeals")
    expect(inbox).to_contain_text(case.tracking_number)
    expect(inbox).to_contain_text("2024-10-16")
    login(page, w.office_head)
    assert table_four(page) == {"corrected": 0, "pending": 1}

    login(page, w.legal_reviewer)
    appeal = Appeal.objects.get()
    page.goto(f"/appeals/{appeal.pk}/")
    answer = page.locator("#answer-form")
    fill(answer, {"提交日期": "2024-10-09"})
    answer.get_by_label("答复书/答辩状（选填）", exact=True).set_input_files(
        {"name": "答复书.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    answer.get_by_role("button", name="登记提交").click()
    expect(page.locator(".messages")).to_contain_text("已登记提交答复")
    expect(page.get_by_role("link", name="答复书.pdf")).to_be_visible()

    decide = page.locator("#decide-form")
    fill(decide, {"决定/裁判内容": "责令重新作出", "审结日期": "2024-10-08"})
    fill(decide, {"重新答复期限": "2024-10-31"})
    decide.get_by_role("button", name="登记结果").click()
    expect(page.locator(".messages")).to_contain_text("已登记审结结果")
    expect(page.locator("#appeal-result")).to_contain_text("结果纠正")

    page.goto(url)
    expect(page.locator(".facts").first).to_contain_text("承办中")
    login(page, w.handler)
    page.goto(url)
    step(page, "action-draft_decision", "提交拟办意见", {"办理结果": "（一）予以公开"})
    login(page, w.legal_reviewer)
    page.goto(url)
    step(page, "action-review_legal", "审查通过")
    login(page, w.secrecy_reviewer)
    page.goto(url)
    step(page, "action-review_secrecy", "审查通过")
    login(page, w.office_head)
    page.goto(url)
    step(page, "action-approve", "批准")
    login(page, w.office)
    page.goto(url)
    step(page, "action-reply", "答复", {"答复日期": "2024-10-09"})
    step(
        page,
        "action-deliver",
        "登记送达",
        {"送达方式": "邮寄送达（交邮之日）", "EMS 邮件号": "EA123456789CN"},
    )

    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.replied_on, case.outcome) == ("delivered", TODAY, "granted")
    assert case.closed_on == D("2024-09-02")  # table 三 counts it once, in its first year
    assert case.events.filter(kind="reopen").get().data["previous_outcome"] == "denied.state_secret"
    login(page, w.office_head)
    assert table_four(page) == {"corrected": 1, "pending": 0}
