"""The whole 主动公开 path in headless chromium, each step by the role that takes it:
信息员 drafts → 政务公开办 初审 → 保密审查 five checks → 分管领导 approves → 政务公开办
publishes; the item then shows as 已发布."""

import pytest
from playwright.sync_api import expect

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_user
from gongkai.publications import views
from gongkai.publications.models import Item, ReviewCheck, Status
from gongkai.publications.tests.browsing import PASSWORD, login, review_and_publish
from gongkai.publications.tests.factories import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "关于2026年春节期间烟花爆竹燃放管理的通告"
# What Word puts on the clipboard: mso classes and styles, <o:p>, spans, a list bullet
# typed as text, conditional comments, a Heading 1, a table; and a script.
WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<style><!-- p.MsoNormal {margin:0cm;} --></style></head><body><!--StartFragment-->
<h1 class=MsoHeading1><span style='font-family:黑体'>二、禁放区域<o:p></o:p></span></h1>
<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='mso-list:Ignore'>·<span style='font:7.0pt'>&nbsp;&nbsp;</span></span><![endif]><b><span
style='font-family:仿宋'>春节期间</span></b><span>城区禁止燃放烟花爆竹。<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<table class=MsoTableGrid border=1 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
<tr><td style='width:100pt'><p class=MsoNormal>人民路<o:p></o:p></p></td>
<td><p class=MsoNormal>滨江路<o:p></o:p></p></td></tr>
<tr><td colspan=2 style='mso-border-alt:solid'><p class=MsoNormal>除夕至正月十五全天</p></td></tr>
</table><script>alert(1)</script><!--EndFragment--></body></html>"""


def paste(page, html):
    """Paste `html` as the clipboard's text/html into the focused editor (the paste
    event a real Ctrl+V fires, with its data)."""
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            document.activeElement.dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})
            );
        }""",
        html,
    )


@pytest.fixture
def staff(world):
    users = {
        role: make_user(world.agency, role, username=f"b-{role}", password=PASSWORD)
        for role in (Role.INFO_OFFICER, Role.OFFICE, Role.SECRECY_REVIEWER, Role.LEADER)
    }
    return users


def test_draft_review_approve_publish(page, staff, monkeypatch):
    monkeypatch.setattr(views, "now", lambda: NOW)

    # 信息员 drafts and submits
    login(page, staff[Role.INFO_OFFICER])
    page.goto("/publications/")
    expect(page.get_by_text("您可以查看的范围内还没有主动公开信息")).to_be_visible()
    page.goto("/publications/new/")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("文号").fill("示公通〔2026〕3号")
    page.get_by_label("成文日期").fill("2026-02-02")
    page.get_by_label("公开类别").select_option("public_order")
    page.get_by_label("体裁分类").select_option("circular")
    page.get_by_label("主题分类").select_option("public_order")
    # 正文: typed, then pasted from Word (issue 14 part 9); no HTML to write
    expect(page.locator("textarea[name=body]")).to_be_hidden()
    editor = page.get_by_role("textbox", name="正文")
    editor.click()
    page.get_by_role("button", name="标题", exact=True).click()
    page.keyboard.type("一、总则")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="正文", exact=True).click()
    page.keyboard.type("为保障春节期间公共安全，特通告如下。")
    page.keyboard.press("Enter")
    paste(page, WORD_PASTE)
    expect(editor.locator("table td")).to_have_count(3)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".item-status")).to_have_text("草稿")
    expect(page.locator("#due-title + p")).to_contain_text("2026-03-06")
    body = page.locator(".item-body")
    expect(body.locator("h2")).to_have_text(["一、总则", "二、禁放区域"])
    expect(body.locator("p strong")).to_have_text("春节期间")
    expect(body.locator("p").first).to_have_text("为保障春节期间公共安全，特通告如下。")
    expect(body.locator("table tr")).to_have_count(2)
    expect(body.locator("td[colspan='2']")).to_have_text("除夕至正月十五全天")
    saved = Item.objects.get().body
    for junk in ("Mso", "mso-", "o:p", "<span", "style=", "<script", "·"):
        assert junk not in saved, junk
    page.get_by_role("button", name="提交初审").click()
    expect(page.locator(".messages")).to_contain_text("已提交初审")
    item_url = page.url.split("#")[0]

    # 政务公开办 初审
    login(page, staff[Role.OFFICE])
    page.goto("/publications/?tab=mine")
    page.get_by_role("link", name=TITLE).click()
    review = page.locator("form.review-form")
    review.get_by_label("通过").check()
    review.get_by_role("button", name="提交初审结论").click()
    expect(page.locator(".item-status")).to_have_text("待保密审查")

    # 保密审查 five checks, 分管领导 approves, 政务公开办 publishes now
    review_and_publish(page, staff, item_url)
    expect(page.locator(".due-state")).to_have_text("按时公开")
    page.screenshot(path="/tmp/gongkai-publication.png", full_page=True)
    page.goto("/publications/?tab=published")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    item = Item.objects.get()
    assert item.status == Status.PUBLISHED and item.published_at == NOW
    assert Item.objects.public(NOW).get() == item
    assert ReviewCheck.objects.filter(item=item, passed=True).count() == 5
    assert "<script" not in item.body
