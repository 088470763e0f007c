"""Which agency a portal URL is about, and the URL of a portal page for an agency.

Every agency-scoped page exists twice: /xxgk/<page> for the default agency
(setting PORTAL_AGENCY_CODE; without it, the first agency created) and
/xxgk/<机关代码>/<page> for any agency. Item pages (/xxgk/items/…) and the item
API carry no agency: an item knows its own. Agency codes equal to a RESERVED
word cannot be used in URLs (those paths belong to the portal or its neighbours).
"""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.generations import Kept

RESERVED = (
    "apply",
    "track",
    "items",
    "api",
    "manage",
    "sitemap.xml",
    "guide",
    "rules",
    "statutory",
    "catalogue",
    "reports",
    "feed",
)
_DEFAULT_KEY = "portal:default-agency"


class AgencyCodeConverter:
    """An agency code in a URL, never one of the RESERVED path words."""

    regex = r"(?!(?:{})(?:/|$))[-a-zA-Z0-9_]+".format(
        "|".join(r.replace(".", r"\.") for r in RESERVED)
    )

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


DEFAULT_SECONDS = 60  # the cache keeps the default agency this long
KEPT_SECONDS = 10  # a process keeps it this long (a renamed agency shows within both)
_default_kept = Kept(16, seconds=KEPT_SECONDS)


def default_agency(generation=None):
    """The agency /xxgk/ shows; None when no agency exists yet. generation: the page
    cache's (pagecache.generation_of); the agency is then also kept in the process under
    it, for at most KEPT_SECONDS (no cache round trip)."""
    code = getattr(settings, "PORTAL_AGENCY_CODE", "") or ""
    return _default_kept.get(code, lambda: _default_from_cache(code), generation)


def _default_from_cache(code):
    cached = cache.get(_DEFAULT_KEY)
    if cached is not None and cached[0] == code:
        return cached[1]
    agencies = Agency.objects.only("id", "name", "code", "parent_id")
    agency = agencies.filter(code=code).first() if code else agencies.order_by("pk").first()
    if agency is not None:
        cache.set(_DEFAULT_KEY, (code, agency), DEFAULT_SECONDS)
    return agency


def resolve(code=None, *, generation=None):
    """The agency for a URL's code (None: the default); Http404 with a Chinese reason.
    generation: see default_agency."""
    if code is None:
        agency = default_agency(generation)
        if agency is None:
            raise Http404("本系统还没有设置任何机关，门户暂时没有内容。")
        return agency
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404(f"没有代码为“{code}”的机关。")
    return agency


def is_default(agency):
    code = getattr(settings, "PORTAL_AGENCY_CODE", "") or ""
    if code:  # no lookup needed (production sets it)
        return agency.code == code
    default = default_agency()
    return default is not None and default.pk == agency.pk


def url(name, agency=None, *args, default=None):
    """The URL of portal page `name` for `agency` (short form for the default agency).
    default: whether `agency` is the default one, when the caller already knows."""
    if default is None:
        default = agency is None or is_default(agency)
    if default:
        return reverse(f"portal:{name}", args=args)
    return reverse(f"portal:a-{name}", args=(agency.code, *args))
