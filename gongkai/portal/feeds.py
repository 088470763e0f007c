"""RSS 2.0 and Atom feeds of an agency's newly published items (newest first)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from gongkai.portal import catalogue, scope, views

FEED_SIZE = 50


class ItemsFeed(Feed):
    description_template = None

    def get_object(self, request, agency=None):
        return scope.resolve(agency)

    def title(self, agency):
        return f"{agency.name}政府信息公开：最新发布"

    def link(self, agency):
        return scope.url("catalogue", agency)

    def description(self, agency):
        return f"{agency.name}最新主动公开的政府信息（最近 {FEED_SIZE} 条）。"

    def items(self, agency):
        return catalogue.latest(catalogue.public_items(views.now(), agency), FEED_SIZE)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        summary = item.summary or ""
        meta = f"索引号：{item.index_number}；发文机关：{item.issuer}"
        return f"{summary}（{meta}）" if summary else meta

    def item_link(self, item):
        return reverse("portal:item", args=[item.pk])

    def item_guid(self, item):
        return item.index_number

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.get_topic_display(), item.get_genre_display()]


class AtomItemsFeed(ItemsFeed):
    feed_type = Atom1Feed

    def subtitle(self, agency):
        return self.description(agency)
