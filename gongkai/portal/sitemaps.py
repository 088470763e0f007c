"""sitemap.xml: the portal pages of every agency, every public item, every report."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.portal import scope, views
from gongkai.portal.models import PublishedReport
from gongkai.publications.models import Item

PAGES = ("home", "guide", "rules", "statutory", "catalogue", "reports")


class PortalPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [(agency, name) for agency in Agency.objects.order_by("pk") for name in PAGES]

    def location(self, entry):
        agency, name = entry
        return scope.url(name, agency)


class ItemsSitemap(Sitemap):
    changefreq = "monthly"
    limit = 20_000

    def items(self):
        return (
            Item.objects.public(views.now()).only("id", "published_at", "revised_at").order_by("id")
        )

    def location(self, item):
        return reverse("portal:item", args=[item.pk])

    def lastmod(self, item):
        return item.revised_at or item.published_at


class ReportsSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return _latest_reports()

    def location(self, row):
        return scope.url("report", row.agency, row.year)

    def lastmod(self, row):
        return row.created_at


def _latest_reports():
    """The newest row of each agency and year (reports are few)."""
    seen, rows = set(), []
    for row in PublishedReport.objects.select_related("agency").order_by(
        "agency_id", "year", "-id"
    ):
        if (row.agency_id, row.year) not in seen:
            seen.add((row.agency_id, row.year))
            rows.append(row)
    return rows


SITEMAPS = {"pages": PortalPagesSitemap, "items": ItemsSitemap, "reports": ReportsSitemap}
