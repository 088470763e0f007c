"""/xxgk/: the portal. Agency pages exist as /xxgk/<page> (the default agency) and as
/xxgk/<机关代码>/<page> (name prefixed "a-"); see scope.py."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from gongkai.portal import api, feeds, manage, pagecache, views
from gongkai.portal.scope import AgencyCodeConverter
from gongkai.portal.sitemaps import SITEMAPS

register_converter(AgencyCodeConverter, "agency")

SITEMAP_SECONDS = 300  # the item sitemaps are the costliest pages (forgotten on any change)

app_name = "portal"

# (route, view, extra kwargs, name): each exists for the default agency and per agency.
SCOPED = [
    ("", views.home, {}, "home"),
    ("guide/", views.page, {"slug": "guide"}, "guide"),
    ("guide/versions/<int:number>/", views.page_version, {"slug": "guide"}, "guide-version"),
    ("rules/", views.page, {"slug": "rules"}, "rules"),
    ("rules/versions/<int:number>/", views.page_version, {"slug": "rules"}, "rules-version"),
    ("statutory/", views.statutory, {}, "statutory"),
    ("catalogue/", views.catalogue_page, {}, "catalogue"),
    ("reports/", views.reports, {}, "reports"),
    ("reports/<int:year>/", views.report, {}, "report"),
    ("reports/<int:year>/download/<str:fmt>/", views.report_download, {}, "report-download"),
    ("feed/rss/", pagecache.cached(feeds.ItemsFeed()), {}, "feed-rss"),
    ("feed/atom/", pagecache.cached(feeds.AtomItemsFeed()), {}, "feed-atom"),
    ("api/items/", api.items, {}, "api-items"),
    ("api/reports/", api.reports, {}, "api-reports"),
    ("api/reports/<int:year>/", api.report, {}, "api-report"),
    ("manage/", manage.index, {}, "manage"),
    ("manage/pages/<slug:slug>/", manage.edit_page, {}, "manage-page"),
    ("manage/reports/", manage.manage_reports, {}, "manage-reports"),
    ("manage/reports/confirm/", manage.confirm_report, {}, "manage-report-confirm"),
]

urlpatterns = [
    path("items/<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("items/<path:key>/", views.item_page, name="item"),
    path("api/items/<int:pk>/", api.item, name="api-item"),
    path(
        "sitemap.xml",
        pagecache.cached(sitemap_views.index, seconds=SITEMAP_SECONDS),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "portal:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        pagecache.cached(sitemap_views.sitemap, seconds=SITEMAP_SECONDS),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    *(path(route, view, kwargs, name=name) for route, view, kwargs, name in SCOPED),
    *(
        path(f"<agency:agency>/{route}", view, kwargs, name=f"a-{name}")
        for route, view, kwargs, name in SCOPED
    ),
]
