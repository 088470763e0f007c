"""Feed autodiscovery: portal pages name their agency's RSS and Atom feeds in <head>;
staff pages, which share base.html, do not."""

from html.parser import HTMLParser

import pytest

from .factories import make_item

pytestmark = pytest.mark.django_db


class HeadLinks(HTMLParser):
    """The attributes of every <link rel="alternate"> inside <head>."""

    def __init__(self):
        super().__init__()
        self.in_head, self.links = False, []

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "link" and self.in_head and dict(attrs).get("rel") == "alternate":
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def feed_links(response):
    assert response.status_code == 200
    parser = HeadLinks()
    parser.feed(response.content.decode())
    return {link["type"]: (link["href"], link["title"]) for link in parser.links}


def test_portal_home_links_its_feeds(client, world):
    make_item(world.agency, title="冬季交通安全提示")
    links = feed_links(client.get("/xxgk/"))
    assert links == {
        "application/rss+xml": ("/xxgk/feed/rss/", "示范市公安局政府信息公开：最新发布（RSS）"),
        "application/atom+xml": ("/xxgk/feed/atom/", "示范市公安局政府信息公开：最新发布（Atom）"),
    }
    rss = client.get(links["application/rss+xml"][0])
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "冬季交通安全提示" in rss.content.decode()
    atom = client.get(links["application/atom+xml"][0])
    assert atom["Content-Type"].startswith("application/atom+xml")


def test_other_agency_and_other_portal_pages_link_their_own_feeds(client, world):
    item = make_item(world.agency)
    links = feed_links(client.get("/xxgk/LSGAJ/"))
    assert links["application/rss+xml"][0] == "/xxgk/LSGAJ/feed/rss/"
    assert links["application/atom+xml"][0] == "/xxgk/LSGAJ/feed/atom/"
    for path in ("/xxgk/catalogue/", f"/xxgk/items/{item.pk}/", "/xxgk/guide/"):
        assert feed_links(client.get(path))["application/rss+xml"][0] == "/xxgk/feed/rss/"


def test_staff_pages_have_no_feed_links(client, world):
    assert feed_links(client.get("/accounts/login/")) == {}
    client.force_login(world.office)
    assert feed_links(client.get("/publications/")) == {}
