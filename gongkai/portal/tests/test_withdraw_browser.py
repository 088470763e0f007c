"""One item followed end to end in headless chromium (issue 5, "done when"): a 信息员
drafts it, it passes 初审, the five checks of the 保密审查 and the leader's approval,
the 政务公开办 publishes it; an anonymous visitor finds it in the 目录, by search,
on its page and in the feeds; the office withdraws it with a reason; afterwards no
public surface shows it, while the staff item page keeps the whole history."""

import pytest
from playwright.sync_api import expect

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.publications import views as staff_views
from gongkai.publications.models import EventKind, Gate, Item, ItemEvent, Status
from gongkai.publications.tests.browsing import PASSWORD, login, review_and_publish
from gongkai.workdays import loading

from .factories import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "关于2026年元宵节期间灯会交通管制的通告"
BODY_TEXT = "元宵节灯会期间，滨江路实行临时交通管制。"
REASON = "管制时间调整，已另行发布新通告"


@pytest.fixture
def staff(db, monkeypatch):
    """The portal's default agency with one user per role of the path; the staff pages
    act at NOW, like the portal (conftest.pinned_now)."""
    loading.load_chinesecalendar()  # Art. 26 due date of the draft
    monkeypatch.setattr(staff_views, "now", lambda: NOW)
    agency = make_agency(name="示范市公安局", code="SFGAJ")
    roles = (Role.INFO_OFFICER, Role.OFFICE, Role.SECRECY_REVIEWER, Role.LEADER)
    return {
        role: make_user(agency, role, username=f"w-{role}", password=PASSWORD) for role in roles
    }


def anonymous(page):
    page.context.clear_cookies()


def draft_and_publish(page, staff):
    """The staff path in the browser; returns the staff URL of the item."""
    login(page, staff[Role.INFO_OFFICER])
    page.goto("/publications/new/")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("文号").fill("示公通〔2026〕5号")
    page.get_by_label("成文日期").fill("2026-02-04")
    page.get_by_label("公开类别").select_option("traffic")
    page.get_by_label("体裁分类").select_option("circular")
    page.get_by_label("主题分类").select_option("traffic")
    page.get_by_role("textbox", name="正文").click()  # the 正文 editor (no HTML to write)
    page.keyboard.type(BODY_TEXT)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".item-status")).to_have_text("草稿")
    page.get_by_role("button", name="提交初审").click()
    expect(page.locator(".messages")).to_contain_text("已提交初审")
    item_url = page.url.split("#")[0]

    login(page, staff[Role.OFFICE])
    page.goto(item_url)
    page.locator("form.review-form").get_by_label("通过").check()
    page.get_by_role("button", name="提交初审结论").click()
    expect(page.locator(".item-status")).to_have_text("待保密审查")

    review_and_publish(page, staff, item_url)
    expect(page.locator(".item-status")).to_have_text("已发布（公众可见）")
    return item_url


def public_view(page, item):
    """What the anonymous public sees of `item` on each list surface."""
    catalogue = page.request.get("/xxgk/catalogue/").text()
    search = page.request.get("/xxgk/catalogue/?q=灯会交通管制").text()
    return {
        "catalogue": TITLE in catalogue,
        "search": TITLE in search,
        "home": TITLE in page.request.get("/xxgk/").text(),
        "rss": TITLE in page.request.get("/xxgk/feed/rss/").text(),
        "atom": TITLE in page.request.get("/xxgk/feed/atom/").text(),
        "sitemap": f"/xxgk/items/{item.pk}/" in page.request.get("/xxgk/sitemap-items.xml").text(),
    }


def test_published_item_is_public_then_withdrawn_item_disappears(page, staff):
    item_url = draft_and_publish(page, staff)
    item = Item.objects.get()
    assert item.status == Status.PUBLISHED and item.published_at == NOW

    # the public: 目录, search, item page with its metadata block, feeds
    anonymous(page)
    page.goto("/xxgk/catalogue/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_label("关键词").fill("灯会交通管制")
    page.get_by_label("关键词").press("Enter")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(1)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    meta = page.locator(".item-meta")
    for text in (
        f"索引号：{item.index_number}",
        "公开方式：主动公开",
        "成文日期：2026-02-04",
        "发文机关：示范市公安局",
        "发布日期：2026-02-10",
        "体裁分类：通告",
        "主题分类：交通",
        "公开类别：交通管理",
        "文号：示公通〔2026〕5号",
    ):
        expect(meta).to_contain_text(text)
    expect(page.locator(".item-body")).to_have_text(BODY_TEXT)
    public_url = page.url
    assert public_view(page, item) == dict.fromkeys(
        ("catalogue", "search", "home", "rss", "atom", "sitemap"), True
    )

    # the office withdraws it through the staff pages
    login(page, staff[Role.OFFICE])
    page.goto(item_url)
    page.get_by_role("link", name="撤回发布").click()
    page.get_by_role("button", name="撤回", exact=True).click()  # no reason yet: refused
    expect(page.get_by_text("请填写撤回理由。")).to_be_visible()
    page.get_by_label("撤回理由").fill(REASON)
    page.get_by_role("button", name="撤回", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已撤回，公众不再能看到本信息")
    expect(page.locator(".item-status")).to_have_text("已撤回")

    # The item page is never cached: it is gone at once (the portal answers 404, the
    # same as for an address that never existed; the body is not sent).
    anonymous(page)
    response = page.goto(public_url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在（404）")
    expect(page.get_by_text(BODY_TEXT)).to_have_count(0)
    expect(page.get_by_text(TITLE)).to_have_count(0)
    by_index = page.request.get(f"/xxgk/items/{item.index_number}/")
    assert by_index.status == 404 and BODY_TEXT not in by_index.text()

    # The anonymous list pages and the sitemap are cached (the cache stays on in this
    # test); the withdrawal's commit made every cached page out of date (pagecache.py).
    page.goto("/xxgk/catalogue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开目录")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    page.get_by_label("关键词").fill("灯会交通管制")
    page.get_by_label("关键词").press("Enter")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    assert public_view(page, item) == dict.fromkeys(
        ("catalogue", "search", "home", "rss", "atom", "sitemap"), False
    )

    # staff still see the whole item and every step of its history
    login(page, staff[Role.OFFICE])
    page.goto(item_url)
    expect(page.locator(".item-status")).to_have_text("已撤回")
    expect(page.locator(".facts")).to_contain_text(f"2026-02-10 09:00：{REASON}")
    expect(page.locator(".item-body")).to_have_text(BODY_TEXT)
    history = page.locator("#history ol.events > li")
    kinds = [
        EventKind.CREATE,
        EventKind.SUBMIT,
        EventKind.FIRST_REVIEW,
        *[EventKind.SECRECY_CHECK] * 5,
        EventKind.SECRECY_REVIEW,
        EventKind.APPROVE,
        EventKind.PUBLISH,
        EventKind.WITHDRAW,
    ]
    expect(history).to_have_count(len(kinds))
    for row, kind in zip(history.all(), kinds, strict=True):
        expect(row.locator("strong")).to_have_text(kind.label)
    expect(history.nth(0)).to_contain_text(staff[Role.INFO_OFFICER].username)
    expect(history.nth(2)).to_contain_text(staff[Role.OFFICE].username)
    for n, gate in enumerate(Gate, start=3):
        expect(history.nth(n)).to_contain_text(f"{gate.label} · 通过")
        expect(history.nth(n)).to_contain_text(staff[Role.SECRECY_REVIEWER].username)
    expect(history.nth(9)).to_contain_text(staff[Role.LEADER].username)
    expect(history.last).to_contain_text(f"理由：{REASON}")
    checks = page.locator("#review table.case-table tbody tr")
    expect(checks).to_have_count(5)
    assert list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True)) == kinds
