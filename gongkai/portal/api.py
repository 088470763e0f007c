"""Read-only JSON API of the portal (documented in docs/portal-api.md).

Same visibility as the pages (Item.objects.public), same filters as the 目录,
cursor pagination (no page numbers, no totals: nothing counts the whole table).
Errors are JSON objects {"error": "中文说明"} with a 4xx status.
"""

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from gongkai.portal import catalogue, reportview, scope, search, views
from gongkai.portal.forms import CatalogueForm
from gongkai.portal.models import PublishedReport
from gongkai.publications.sanitize import clean_body

MAX_LIMIT = 100
API_VERSION = "gongkai.portal-api/1"


def _error(message, status=400):
    response = JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    return response


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _choice(item, name):
    return {"code": getattr(item, name), "label": getattr(item, f"get_{name}_display")()}


def item_summary(request, item):
    """The list form of an item (no body)."""
    return {
        "id": item.pk,
        "index_number": item.index_number,
        "title": item.title,
        "document_number": item.document_number,
        "issuer": item.issuer,
        "written_on": item.written_on.isoformat() if item.written_on else None,
        "published_at": item.published_at.isoformat(),
        "genre": _choice(item, "genre"),
        "topic": _choice(item, "topic"),
        "category": _choice(item, "category"),
        "summary": item.summary,
        "url": request.build_absolute_uri(reverse("portal:item", args=[item.pk])),
        "api_url": request.build_absolute_uri(reverse("portal:api-item", args=[item.pk])),
    }


def _link(request, item):
    if item is None:
        return None
    return {
        "id": item.pk,
        "title": item.title,
        "url": request.build_absolute_uri(reverse("portal:item", args=[item.pk])),
    }


@require_safe
def items(request, agency=None):
    try:
        agency = scope.resolve(agency)
    except Http404 as exc:
        return _error(str(exc), 404)
    form = CatalogueForm(request.GET)
    if not form.is_valid():
        messages = [str(e) for errors in form.errors.values() for e in errors]
        return _error(" ".join(messages))
    try:
        limit = int(request.GET.get("limit", catalogue.PAGE_SIZE))
    except ValueError:
        return _error(f"limit 应为 1 到 {MAX_LIMIT} 之间的整数。")
    if not 1 <= limit <= MAX_LIMIT:
        return _error(f"limit 应为 1 到 {MAX_LIMIT} 之间的整数。")
    try:
        rows, next_cursor = catalogue.find(
            views.now(), agency, form.filters(), request.GET.get("cursor"), size=limit
        )
    except search.BadCursor as exc:
        return _error(str(exc))
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return _json(
        {
            "api": API_VERSION,
            "agency": {"code": agency.code, "name": agency.name},
            "results": [item_summary(request, item) for item in rows],
            "next": next_url,
        }
    )


@require_safe
def item(request, pk):
    try:
        found = views.public_item(str(pk))
    except Http404 as exc:
        return _error(str(exc), 404)
    public = catalogue.public_items(views.now())
    policy = public.filter(pk=found.interprets_id).first() if found.interprets_id else None
    data = item_summary(request, found)
    data.update(
        api=API_VERSION,
        agency={"code": found.agency.code, "name": found.agency.name},
        disclosure_mode=_choice(found, "disclosure_mode"),
        body_html=clean_body(found.body),
        version=found.version,
        revised_at=found.revised_at.isoformat() if found.revised_at else None,
        attachments=[
            {
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "url": request.build_absolute_uri(
                    reverse("portal:attachment", args=[found.pk, a.pk])
                ),
            }
            for a in found.attachments.order_by("position", "id")
        ],
        interprets=_link(request, policy),
        interpretations=[
            _link(request, i) for i in public.filter(interprets=found).order_by("published_at")
        ],
    )
    return _json(data)


def _report_entry(request, row):
    return {
        "year": row.year,
        "title": row.title,
        "published_on": row.published_on.isoformat(),
        "url": request.build_absolute_uri(scope.url("report", row.agency, row.year)),
        "json_url": request.build_absolute_uri(scope.url("api-report", row.agency, row.year)),
    }


@require_safe
def reports(request, agency=None):
    try:
        agency = scope.resolve(agency)
    except Http404 as exc:
        return _error(str(exc), 404)
    seen, entries = set(), []
    rows = PublishedReport.objects.filter(agency=agency).defer("data").order_by("-year", "-id")
    for row in rows.select_related("agency"):
        if row.year not in seen:
            seen.add(row.year)
            entries.append(_report_entry(request, row))
    return _json(
        {
            "api": API_VERSION,
            "agency": {"code": agency.code, "name": agency.name},
            "results": entries,
        }
    )


@require_safe
def report(request, year, agency=None):
    """The newest published report of `year` in the interchange format, findings omitted."""
    try:
        agency = scope.resolve(agency)
    except Http404 as exc:
        return _error(str(exc), 404)
    row = PublishedReport.objects.filter(agency=agency, year=year).order_by("-id").first()
    if row is None:
        return _error(f"{agency.name}没有公布{year}年度的年度报告。", 404)
    return _json(reportview.public_data(row.data))
