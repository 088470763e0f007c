"""A withdrawn, unpublished or scheduled item is invisible everywhere: page, list, feed,
sitemap, API, attachment (the publications workflow does the withdrawal)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from gongkai.publications import workflow
from gongkai.publications.models import ItemAttachment, Status

from .factories import NOW, make_item

pytestmark = pytest.mark.django_db


def everywhere(client, item):
    """What each public surface says about `item` (cache emptied first)."""
    cache.clear()
    return {
        "page": client.get(f"/xxgk/items/{item.pk}/").status_code,
        "by_index": client.get(f"/xxgk/items/{item.index_number}/").status_code,
        "catalogue": item.title in client.get("/xxgk/catalogue/").content.decode(),
        "search": item.title in client.get("/xxgk/catalogue/", {"q": "撤回测试"}).content.decode(),
        "home": item.title in client.get("/xxgk/").content.decode(),
        "rss": item.title in client.get("/xxgk/feed/rss/").content.decode(),
        "atom": item.title in client.get("/xxgk/feed/atom/").content.decode(),
        "sitemap": f"/xxgk/items/{item.pk}/"
        in client.get("/xxgk/sitemap-items.xml").content.decode(),
        "api_list": item.pk in [r["id"] for r in client.get("/xxgk/api/items/").json()["results"]],
        "api_item": client.get(f"/xxgk/api/items/{item.pk}/").status_code,
    }


VISIBLE = {
    "page": 200,
    "by_index": 200,
    "catalogue": True,
    "search": True,
    "home": True,
    "rss": True,
    "atom": True,
    "sitemap": True,
    "api_list": True,
    "api_item": 200,
}
HIDDEN = {
    "page": 404,
    "by_index": 404,
    "catalogue": False,
    "search": False,
    "home": False,
    "rss": False,
    "atom": False,
    "sitemap": False,
    "api_list": False,
    "api_item": 404,
}


def test_withdrawn_item_disappears_everywhere(client, world):
    item = make_item(world.agency, title="撤回测试：某项通知")
    assert everywhere(client, item) == VISIBLE
    workflow.withdraw(item, by=world.office, now=NOW, reason="内容已过时")
    assert everywhere(client, item) == HIDDEN


def test_cached_pages_are_forgotten_when_a_withdrawal_commits(
    client, world, settings, django_capture_on_commit_callbacks
):
    """The list pages are cached, and a withdrawal makes every cached page out of date
    the moment it commits (pagecache.py): no waiting for the cache to expire."""
    settings.PORTAL_CACHE_SECONDS = 600
    item = make_item(world.agency, title="撤回测试：某项通知")
    pages = ["/xxgk/catalogue/", "/xxgk/catalogue/?q=撤回测试", "/xxgk/", "/xxgk/sitemap-items.xml"]
    path = f"/xxgk/items/{item.pk}/"

    def shown():
        return [path in client.get(url).content.decode() for url in pages]

    assert shown() == [True] * 4
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.withdraw(item, by=world.office, now=NOW, reason="内容已过时")
    assert shown() == [True] * 4  # not committed yet: the cached pages are served
    for callback in callbacks:
        callback()  # the commit
    assert shown() == [False] * 4
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.APPROVAL])
def test_unpublished_item_is_invisible(client, world, status):
    item = make_item(world.agency, title="撤回测试：未发布", status=status, published_at=None)
    assert everywhere(client, item) == HIDDEN


def test_scheduled_item_is_invisible_until_its_time(client, world, monkeypatch):
    item = make_item(
        world.agency, title="撤回测试：定时发布", published_at=NOW + dt.timedelta(hours=2)
    )
    assert everywhere(client, item) == HIDDEN
    from gongkai.portal import views

    monkeypatch.setattr(views, "now", lambda: NOW + dt.timedelta(hours=3))
    assert everywhere(client, item) == VISIBLE


def test_attachment_downloads_only_while_public(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(world.agency, title="附件测试")
    attachment = ItemAttachment(
        item=item,
        name="实施细则.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=world.office,
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    page = client.get(f"/xxgk/items/{item.pk}/").content.decode()
    url = f"/xxgk/items/{item.pk}/attachments/{attachment.pk}/"
    assert url in page and "实施细则.pdf" in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    workflow.withdraw(item, by=world.office, now=NOW, reason="撤回")
    assert client.get(url).status_code == 404


def test_attachment_of_another_item_is_404(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, second = make_item(world.agency), make_item(world.agency)
    attachment = ItemAttachment(item=first, name="a.pdf", uploaded_by=world.office)
    attachment.file.save("a.pdf", ContentFile(b"x"), save=False)
    attachment.save()
    assert client.get(f"/xxgk/items/{second.pk}/attachments/{attachment.pk}/").status_code == 404
