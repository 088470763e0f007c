"""Every public page renders, with data and without (helpful empty states)."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.portal import publishing
from gongkai.portal.models import PageSlug
from gongkai.publications.models import Category, Genre, Topic

from .factories import NOW, make_item

pytestmark = pytest.mark.django_db

PAGES = ["home", "guide", "rules", "statutory", "catalogue", "reports"]


def html(response):
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_empty_with_a_helpful_message(client, world, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 200
    text = html(response)
    assert '<html lang="zh-CN">' in text
    assert "示范市公安局" in text
    assert '<main id="main"' in text and "跳到正文" in text
    assert 'aria-label="政府信息公开栏目"' in text
    assert text.count("<h1") == 1
    empty = {
        "home": "还没有在本网站主动公开政府信息",
        "guide": "尚未在本网站发布政府信息公开指南",
        "rules": "尚未在本网站发布政府信息公开制度",
        "statutory": "本类别暂无公开信息",
        "catalogue": "还没有在本网站主动公开政府信息",
        "reports": "还没有发布示范市公安局的年度报告",
    }[name]
    assert empty in text


def test_no_agency_at_all_is_a_404_that_says_why(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 404


def test_home_links_every_column_and_lists_latest(client, world):
    item = make_item(world.agency, title="关于调整户籍窗口办公时间的通告")
    text = html(client.get(reverse("portal:home")))
    for href in (
        "/xxgk/guide/",
        "/xxgk/rules/",
        "/xxgk/statutory/",
        "/xxgk/catalogue/",
        "/xxgk/reports/",
        "/xxgk/apply/",
        "/xxgk/track/",
    ):
        assert f'href="{href}"' in text
    assert item.title in text
    assert f'href="/xxgk/items/{item.pk}/"' in text


def test_other_agency_has_its_own_portal_under_its_code(client, world):
    mine = make_item(world.agency, title="本机关的通知")
    theirs = make_item(world.other, title="邻市的通知", issuer="邻市公安局")
    text = html(client.get("/xxgk/LSGAJ/"))
    assert "邻市公安局政府信息公开" in text and theirs.title in text and mine.title not in text
    assert 'href="/xxgk/LSGAJ/catalogue/"' in text
    assert client.get("/xxgk/LSGAJ/catalogue/").status_code == 200
    assert client.get("/xxgk/NOPE/").status_code == 404


def test_default_agency_follows_the_setting(client, world, settings):
    settings.PORTAL_AGENCY_CODE = "LSGAJ"
    assert "邻市公安局政府信息公开" in html(client.get("/xxgk/"))


def test_statutory_groups_items_by_article_20_category(client, world):
    make_item(world.agency, title="行政许可事项清单", category=Category.LICENSING)
    make_item(world.agency, title="治安管理处罚裁量基准", category=Category.PENALTIES)
    text = html(client.get(reverse("portal:statutory")))
    assert "行政许可" in text and "第二十条第（五）项" in text
    assert "行政许可事项清单" in text and "治安管理处罚裁量基准" in text
    assert "/xxgk/catalogue/?category=licensing" in text


def test_item_page_has_the_portal_metadata_block(client, world):
    item = make_item(
        world.agency,
        title="关于开展冬季道路交通安全整治的通告",
        document_number="示公通〔2026〕3号",
        genre=Genre.CIRCULAR,
        topic=Topic.TRAFFIC,
    )
    text = html(client.get(reverse("portal:item", args=[item.pk])))
    labels = ["索引号", "公开方式", "成文日期", "发文机关", "发布日期", "体裁分类", "主题分类"]
    positions = [text.index(f"{label}：") for label in labels]
    assert positions == sorted(positions)  # the order real portals print
    for value in (item.index_number, "主动公开", "通告", "交通", "示公通〔2026〕3号"):
        assert value in text
    assert item.written_on.isoformat() in text
    assert "<p>为进一步规范户籍管理" in text  # the cleaned body as HTML


def test_item_by_index_number(client, world):
    item = make_item(world.agency)
    response = client.get(f"/xxgk/items/{item.index_number}/")
    assert response.status_code == 200 and item.title in html(response)


def test_policy_and_interpretation_link_each_other(client, world):
    policy = make_item(world.agency, title="示范市户籍管理办法", genre=Genre.MEASURES)
    reading = make_item(
        world.agency,
        title="《示范市户籍管理办法》政策解读",
        genre=Genre.INTERPRETATION,
        interprets=policy,
    )
    policy_page = html(client.get(reverse("portal:item", args=[policy.pk])))
    assert "相关解读" in policy_page and reading.title in policy_page
    reading_page = html(client.get(reverse("portal:item", args=[reading.pk])))
    assert "的解读" in reading_page and f"/xxgk/items/{policy.pk}/" in reading_page


def test_guide_shows_latest_version_and_history(client, world):
    publishing.publish_page(
        world.agency, "guide", body="<p>第一版指南</p>", note="首次发布", by=world.office, at=NOW
    )
    publishing.publish_page(
        world.agency,
        "guide",
        body="<p>第二版指南</p>",
        note="更新办公时间",
        by=world.office,
        at=NOW,
    )
    text = html(client.get(reverse("portal:guide")))
    assert "第二版指南" in text and "第一版指南" not in text
    assert "历史版本" in text and "更新办公时间" in text and "首次发布" in text
    old = client.get(reverse("portal:guide-version", args=[1]))
    assert old.status_code == 200
    assert "第一版指南" in html(old) and "历史版本" in html(old) and "已不再适用" in html(old)
    assert client.get(reverse("portal:guide-version", args=[9])).status_code == 404
    assert client.get(reverse("portal:rules-version", args=[1])).status_code == 404


def test_page_titles(world):
    assert PageSlug("guide").label == "政府信息公开指南"


@pytest.mark.parametrize("word", ["apply", "track", "items", "api", "manage", "catalogue"])
def test_reserved_words_are_never_agency_codes(word):
    import re

    from gongkai.portal.scope import AgencyCodeConverter

    assert not re.fullmatch(AgencyCodeConverter.regex, word)
    assert re.fullmatch(AgencyCodeConverter.regex, f"{word}x")  # only the exact words


def test_feeds_and_sitemap(client, world):
    item = make_item(world.agency, title="订阅测试通知")
    rss = client.get("/xxgk/feed/rss/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    text = rss.content.decode()
    assert "示范市公安局政府信息公开：最新发布" in text and "订阅测试通知" in text
    assert f"http://testserver/xxgk/items/{item.pk}/" in text
    atom = client.get("/xxgk/feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml") and "订阅测试通知" in (
        atom.content.decode()
    )
    assert "订阅测试通知" not in client.get("/xxgk/LSGAJ/feed/rss/").content.decode()
    index = client.get("/xxgk/sitemap.xml").content.decode()
    for section in ("pages", "items", "reports"):
        assert f"/xxgk/sitemap-{section}.xml" in index
    pages = client.get("/xxgk/sitemap-pages.xml").content.decode()
    assert "http://testserver/xxgk/guide/" in pages and "/xxgk/LSGAJ/catalogue/" in pages
    items = client.get("/xxgk/sitemap-items.xml").content.decode()
    assert f"/xxgk/items/{item.pk}/" in items


def test_signed_in_visitor_is_never_served_a_cached_anonymous_page(client, world):
    client.get("/xxgk/")  # fills the cache for anonymous visitors
    client.force_login(world.office)
    text = client.get("/xxgk/").content.decode()
    assert world.office.username in text and "门户维护" in text


def test_the_frame_kept_for_visitors_is_the_template_s_and_not_a_signed_in_user_s(
    client, world, settings, rf
):
    """views.framed: a visitor's page is the frame template written with its content
    (the frame kept once per process); a signed-in user gets the frame made for them."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from gongkai.portal import views

    settings.PORTAL_CACHE_SECONDS = 0  # every request reaches the view
    views._frames.clear()
    request = rf.get("/xxgk/catalogue/")
    request.user, request.session = AnonymousUser(), SessionStore()
    request._messages = FallbackStorage(request)
    page = views.context(world.agency, "catalogue")
    body = "<p>目录内容</p>"
    for _ in range(2):  # made, then kept
        framed = views.framed(request, "portal/catalogue.html", page, body).content.decode()
        expected = render_to_string(
            "portal/catalogue.html", {**page, "portal_body": mark_safe(body)}, request
        )
        assert framed == expected and views._frames
    visitor = client.get("/xxgk/catalogue/").text
    assert "登录" in visitor and "退出" not in visitor
    client.force_login(world.users["office"])
    signed_in = client.get("/xxgk/catalogue/").text
    assert "退出" in signed_in and world.users["office"].get_username() in signed_in


def test_an_item_page_s_kept_frame_shows_each_item_s_own_title(client, world, settings):
    from .factories import make_item

    settings.PORTAL_CACHE_SECONDS = 0
    first = make_item(world.agency, title='安全 & "提示" <一>')
    second = make_item(world.agency, title="第二条信息")
    for _ in range(2):
        page = client.get(f"/xxgk/items/{first.pk}/").text
        assert "<title>安全 &amp; &quot;提示&quot; &lt;一&gt; · 示范市公安局 · " in page
        assert "<title>第二条信息 · " in client.get(f"/xxgk/items/{second.pk}/").text
    client.force_login(world.users["office"])
    assert "<title>第二条信息 · " in client.get(f"/xxgk/items/{second.pk}/").text


def test_an_item_page_asks_for_attachments_and_interpretations_only_when_there_are_some(
    client, world, settings, django_assert_num_queries
):
    """One query for an item with neither (most items); with both, each is listed, and
    a withdrawn or scheduled interpretation is not."""
    from django.core.files.base import ContentFile

    from gongkai.publications.models import ItemAttachment, Status

    settings.PORTAL_CACHE_SECONDS = 0  # every request reaches the view
    plain = make_item(world.agency, title="没有附件的通告")
    client.get(reverse("portal:item", args=[plain.pk]))  # the default agency, cached
    with django_assert_num_queries(1):
        assert client.get(reverse("portal:item", args=[plain.pk])).status_code == 200
    policy = make_item(world.agency, title="示范市养犬管理办法", genre=Genre.MEASURES)
    attachment = ItemAttachment(item=policy, name="附表.pdf", uploaded_by=world.office)
    attachment.file.save("a.pdf", ContentFile(b"x"), save=False)
    attachment.save()
    reading = make_item(world.agency, title="养犬管理办法解读", interprets=policy)
    make_item(world.agency, title="草稿解读", interprets=policy, status=Status.DRAFT)
    make_item(
        world.agency, title="定时解读", interprets=policy, published_at=NOW + dt.timedelta(days=1)
    )
    page = html(client.get(reverse("portal:item", args=[policy.pk])))
    assert "附表.pdf" in page and reading.title in page
    assert "草稿解读" not in page and "定时解读" not in page
