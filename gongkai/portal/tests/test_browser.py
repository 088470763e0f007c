"""The portal in headless chromium: keyboard reaches search and results, phones fit,
a published item is found by search and is in the feed."""

import pytest
from playwright.sync_api import expect

from gongkai.agencies.tests.factories import make_agency

from .factories import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bureau(db):
    agency = make_agency(name="示范市公安局", code="SFGAJ")
    item = make_item(
        agency,
        title="关于优化户籍业务办理流程的公告",
        body="<p>自即日起，户籍迁移业务实行网上预约。</p>",
    )
    make_item(agency, title="冬季交通安全提示", body="<p>雨雪天气减速慢行。</p>")
    return agency, item


def test_search_by_keyboard_finds_the_item_and_feed_has_it(page, bureau):
    _agency, item = bureau
    page.goto("/xxgk/catalogue/")
    search = page.get_by_label("关键词")
    for _ in range(40):  # Tab from the top of the page until the search box has focus
        page.keyboard.press("Tab")
        if search.evaluate("el => el === document.activeElement"):
            break
    expect(search).to_be_focused()
    page.keyboard.type("户籍迁移")
    page.keyboard.press("Enter")
    result = page.get_by_role("link", name=item.title)
    expect(result).to_be_visible()
    expect(page.get_by_role("link", name="冬季交通安全提示")).to_have_count(0)
    for _ in range(40):  # keep tabbing: the result link is reachable
        page.keyboard.press("Tab")
        if result.evaluate("el => el === document.activeElement"):
            break
    expect(result).to_be_focused()
    outline = result.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(item.title)
    expect(page.locator(".item-meta")).to_contain_text("索引号：")

    feed = page.request.get("/xxgk/feed/rss/")
    assert feed.ok and item.title in feed.text()


def test_skip_link_is_first_and_moves_to_main(page, bureau):
    page.goto("/xxgk/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize(
    "path", ["/xxgk/", "/xxgk/catalogue/?q=户籍", "/xxgk/statutory/", "ITEM", "/xxgk/guide/"]
)
def test_no_horizontal_scroll_at_375px(page, bureau, path):
    _agency, item = bureau
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/xxgk/items/{item.pk}/" if path == "ITEM" else path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path}: page is {width}px wide"
