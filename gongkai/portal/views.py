"""The public portal /xxgk/: 政府信息公开 pages of an agency, no login needed.

Arts. 19–24 of the 条例: the 指南 and 目录, the 法定主动公开内容 by category;
Art. 49: the annual reports. Items are read only through catalogue.py (and so only
through Item.objects.public). A withdrawn, unpublished or scheduled item does not
exist for these pages (404). Anonymous pages are cached (pagecache.py: up to
PORTAL_CACHE_SECONDS, and forgotten as soon as an item or report changes), but for
downloads and the 指南/制度 pages.
"""

import datetime as dt
import functools
import html

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from gongkai.agencies.models import Agency
from gongkai.generations import Kept
from gongkai.portal import catalogue, pagecache, reportview, scope, search
from gongkai.portal.forms import CatalogueForm
from gongkai.portal.models import PageSlug, PageVersion, PortalPage, PublishedReport
from gongkai.publications.models import CATEGORY_ARTICLES, Category, Item, ItemAttachment
from gongkai.publications.sanitize import clean_body

STATUTORY_PER_CATEGORY = 5
HOME_LATEST = 10
ISSUERS_SECONDS = 600
APPLY_URL = "/xxgk/apply/"  # the online application (another app)
TRACK_URL = "/xxgk/track/"


def now():
    """The moment the pages count from (tests replace this function)."""
    return timezone.now()


def today():
    return timezone.localdate(now())


# ---- shared helpers ------------------------------------------------------------------


def links(agency):
    """URLs of the agency's portal pages, for the navigation and cross-links."""
    return dict(_links(agency.code, scope.is_default(agency), get_script_prefix()))


@functools.lru_cache(maxsize=256)
def _links(code, default, script_prefix):
    """links() worked out once per agency: the URLs depend only on the agency's code,
    whether it is the default agency, and the script prefix."""
    agency = Agency(code=code)
    names = ("home", "guide", "rules", "statutory", "catalogue", "reports")
    result = {name: scope.url(name, agency, default=default) for name in names}
    result.update(
        rss=scope.url("feed-rss", agency, default=default),
        atom=scope.url("feed-atom", agency, default=default),
        manage=scope.url("manage", agency, default=default),
        api_items=scope.url("api-items", agency, default=default),
        api_reports=scope.url("api-reports", agency, default=default),
        apply=APPLY_URL,
        track=TRACK_URL,
    )
    return tuple(result.items())


def context(agency, section, **extra):
    return {"agency": agency, "section": section, "links": links(agency), **extra}


def issuers_of(agency, generation=None):
    """The distinct 发文机关 of the agency's public items (cached; for the filter list).
    generation: the page cache's (pagecache.generation_of), under which the list is
    also kept in the process (no cache round trip; a change of the items moves it on)."""
    return _issuers_kept.get(agency.pk, lambda: _issuers(agency), generation)


def _issuers(agency):
    key = f"portal:issuers:{agency.pk}"
    names = cache.get(key)
    if names is None:
        names = list(
            catalogue.public_items(now(), agency)
            .order_by()
            .values_list("issuer", flat=True)
            .distinct()[:200]
        )
        names.sort()
        cache.set(key, names, ISSUERS_SECONDS)
    return names


_issuers_kept = Kept(256)


# ---- home, 指南, 制度 -------------------------------------------------------------------


@require_safe
@pagecache.cached
def home(request, agency=None):
    agency = scope.resolve(agency)
    items = catalogue.public_items(now(), agency)
    reports = list(
        PublishedReport.objects.filter(agency=agency)
        .order_by("-year", "-id")
        .values("year", "published_on")[:20]
    )
    latest_report = reports[0] if reports else None
    return render(
        request,
        "portal/home.html",
        context(
            agency,
            "home",
            latest=catalogue.latest(items, HOME_LATEST),
            latest_report=latest_report,
            pages={p.slug: p for p in PortalPage.objects.filter(agency=agency)},
        ),
    )


def _page(agency, slug):
    if slug not in PageSlug.values:
        raise Http404("没有这个栏目。")
    return PortalPage.objects.filter(agency=agency, slug=slug).first()


def _page_context(agency, slug, version, versions):
    return context(
        agency,
        slug,
        title=PageSlug(slug).label,
        slug=slug,
        version=version,
        body=mark_safe(clean_body(version.body)) if version else "",  # cleaned when published too
        versions=[(v, scope.url(f"{slug}-version", agency, v.number)) for v in versions],
        current=bool(versions) and version.number == versions[0].number,
        current_url=scope.url(slug, agency),
    )


@require_safe
def page(request, slug, agency=None):
    agency = scope.resolve(agency)
    portal_page = _page(agency, slug)
    versions = list(portal_page.versions.defer("body").order_by("-number")) if portal_page else []
    version = versions[0] if versions else None
    return render(request, "portal/page.html", _page_context(agency, slug, version, versions))


@require_safe
def page_version(request, slug, number, agency=None):
    agency = scope.resolve(agency)
    portal_page = _page(agency, slug)
    if portal_page is None:
        raise Http404("本机关尚未发布这个栏目。")
    version = get_object_or_404(PageVersion, page=portal_page, number=number)
    versions = list(portal_page.versions.defer("body").order_by("-number"))
    return render(request, "portal/page.html", _page_context(agency, slug, version, versions))


# ---- 法定主动公开内容, 目录, items ------------------------------------------------------------


@require_safe
@pagecache.cached
def statutory(request, agency=None):
    """法定主动公开内容: the Art. 20/21 categories with each one's latest items."""
    agency = scope.resolve(agency)
    items = catalogue.public_items(now(), agency)
    groups = [
        {
            "value": value,
            "label": label,
            "article": CATEGORY_ARTICLES.get(value, ""),
            "items": catalogue.latest(items.filter(category=value), STATUTORY_PER_CATEGORY),
            "url": scope.url("catalogue", agency) + f"?category={value}",
        }
        for value, label in Category.choices
    ]
    return render(request, "portal/statutory.html", context(agency, "statutory", groups=groups))


@require_safe
@pagecache.cached
def catalogue_page(request, agency=None):
    generation = pagecache.generation_of(request)
    agency = scope.resolve(agency, generation=generation)
    page_links = links(agency)
    query = request.GET.copy()
    query.pop("after", None)
    first_query = query.urlencode()
    filters, form_errors, filter_form = _checked(
        request.GET, page_links, first_query, issuers_of(agency, generation)
    )
    rows, next_cursor, error = [], None, None
    if not form_errors:
        try:
            rows, next_cursor = catalogue.find(
                now(), agency, filters, request.GET.get("after"), rows_only=True
            )
        except search.BadCursor as exc:
            error = str(exc)
    page = context(
        agency,
        "catalogue",
        filter_form=filter_form,
        form_errors=form_errors,
        items=rows,
        rows=_table_rows(rows),
        filtered=filters.any(),
        filters=filters,
        cursor_error=error,
        first_page=not request.GET.get("after"),
        next_query=_with(query, after=next_cursor) if next_cursor else None,
        first_query=first_query,
    )
    body = render_to_string("portal/_catalogue_body.html", page)
    return framed(
        request, "portal/catalogue.html", page, body, status=400 if form_errors or error else 200
    )


# The frame of a portal page (everything but its content: the site's header, the
# portal's navigation, the footer) written once per process for visitors who are not
# signed in, instead of for every page: three templates and their context processors
# cost about a tenth of a 目录 page that is not in the page cache. The frame template
# gets only what FRAME_CONTEXT names and the content as `portal_body`; what it prints
# for a visitor depends on nothing else (the static files' addresses and the URL
# configuration are fixed while the process runs), so the key is those values. A
# signed-in user (a different header) or a pending message gets the frame made afresh.
# A page whose title is its own (an item's) is kept as one frame too: the frame prints
# its title as {{ page_title }}, written with a mark in its place.
FRAME_CONTEXT = ("agency", "section", "links")
_frames = Kept(256)
_BODY_MARK = "\x00portal-body\x00"
_TITLE_MARK = "\x00portal-title\x00"


def framed(request, template_name, page, body, status=200, title=None):
    """The response: `body` (safe HTML) inside the frame `template_name`, which prints
    it as {{ portal_body }} (and `title`, text, as {{ page_title }}); page: the view's
    context (FRAME_CONTEXT taken from it)."""
    frame_context = {name: page[name] for name in FRAME_CONTEXT}
    body = mark_safe(body)
    if request.user.is_authenticated or get_messages(request):
        frame_context.update(portal_body=body, page_title=title)
        return HttpResponse(render_to_string(template_name, frame_context, request), status=status)
    agency = page["agency"]
    key = (
        template_name,
        agency.name,
        page["section"],
        title is not None,
        tuple(page["links"].items()),
        get_script_prefix(),
    )
    parts = _frames.get(key, lambda: _cut_frame(request, template_name, frame_context, title))
    shown = html.escape(title) if title is not None else ""
    head, tail = (shown.join(pieces) for pieces in parts)
    return HttpResponse(f"{head}{body}{tail}", status=status)


def _cut_frame(request, template_name, frame_context, title):
    """The frame's text before and after the body, each cut where the title goes."""
    frame_context["portal_body"] = mark_safe(_BODY_MARK)
    frame_context["page_title"] = mark_safe(_TITLE_MARK) if title is not None else None
    head, mark, tail = render_to_string(template_name, frame_context, request).partition(_BODY_MARK)
    if not mark:  # pragma: no cover - a frame template that does not print the body
        raise ValueError(f"{template_name} 没有输出 portal_body")
    return head.split(_TITLE_MARK), tail.split(_TITLE_MARK)


# The 目录's query checked, per process, by everything the check and the filter form
# depend on: whether there is a query, the query (without the page cursor), the
# catalogue's address and the 发文机关 list. The same few hundred queries come back all
# day; the form (its fields copied, the query validated, its HTML written) costs about
# a fifth of a page that is not in the page cache (a new deployment, a page just
# expired, a later page of a query). The results are never kept here. Cleared whole
# when full.
_checked_queries = Kept(2048)


def _checked(params, page_links, first_query, issuers):
    """(Filters, whether the query has errors, the filter form's HTML) for the query
    `params` (request.GET)."""
    key = (page_links["catalogue"], bool(params), first_query, tuple(issuers))
    return _checked_queries.get(key, lambda: _check(params, page_links, issuers))


def _check(params, page_links, issuers):
    form = CatalogueForm(params or None, issuers=issuers)
    valid = not params or form.is_valid()
    filters = form.filters() if params and valid else catalogue.Filters()
    context = {"form": form, "links": page_links, "filtered": filters.any()}
    if valid:
        html = _valid_form_html(form, context, tuple(issuers))
    else:
        html = render_to_string(FORM_TEMPLATE, context)
    return filters, not valid, html


# A query the 目录 has not seen yet (nearly every filtered page of a new deployment)
# still writes its form. Without errors, the form differs from the empty form only in
# its fields' widgets (the values typed or chosen): the template is written once per
# catalogue address, issuer list and `filtered`, for the empty form, cut where its
# widgets are, and a query's form is those pieces with the query's widgets in between
# (a third of the cost of the template). A form with errors is written by the template.
FORM_TEMPLATE = "portal/_catalogue_form.html"
_form_pieces = Kept(2048)


def _valid_form_html(form, context, issuers):
    """The HTML of FORM_TEMPLATE for `form` (validated, without errors) in `context`."""
    key = (context["links"]["catalogue"], context["filtered"], issuers)
    pieces = _form_pieces.get(key, lambda: _cut_form(CatalogueForm(issuers=form.issuers), context))
    if not pieces:
        return render_to_string(FORM_TEMPLATE, context)
    texts, names = pieces
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        out += (_widget_html(form, name), text)
    return mark_safe("".join(out))


# A widget of a form without errors prints only the value given for its field (a new
# query of a new deployment is mostly made of values seen already: a topic, a month's
# first day): each kept per field and value.
_widgets = Kept(4096)


def _widget_html(form, name):
    """str(form[name]) for `form` (validated, without errors)."""
    value = form.data.get(name) if form.is_bound else None
    return _widgets.get((name, form.is_bound, value), lambda: str(form[name]))


def _cut_form(empty, context):
    """(the template's text between the widgets, the widgets' field names in order) for
    the empty form `empty`; () when a widget cannot be found exactly once."""
    html = str(render_to_string(FORM_TEMPLATE, {**context, "form": empty}))
    found = []
    for name in empty.fields:
        widget = str(empty[name])
        if html.count(widget) != 1:
            return ()
        found.append((html.index(widget), len(widget), name))
    found.sort()
    texts, names, at = [], [], 0
    for start, length, name in found:
        if start < at:  # pragma: no cover - one widget inside another
            return ()
        texts.append(html[at:start])
        names.append(name)
        at = start + length
    texts.append(html[at:])
    return texts, names


# One row of the 目录 table, written out in Python instead of a template loop: on the
# busiest page of the portal the loop's 160 variable lookups cost about as much as the
# query itself. Every value goes through html.escape, which is what Django's escape()
# does to a string (without its lazy-string wrapper, a tenth of a millisecond a page).
# The rest of the table is in catalogue.html.
ROW_HTML = (
    '<tr><td class="index-number" data-label="索引号">{}</td>'
    '<td data-label="名称"><a href="{}">{}</a>{}</td>'
    '<td data-label="发文机关">{}</td><td data-label="成文日期">{}</td>'
    '<td data-label="发布日期">{}</td></tr>\n'
)


def _table_rows(items):
    """The <tr> rows of the catalogue table for `items` (safe HTML; "" when none)."""
    prefix = _items_prefix(get_script_prefix())
    return mark_safe("".join(_table_row(item, prefix) for item in items))


def _table_row(item, prefix):
    # a 内容概述 that only repeats the title is not printed twice
    summary = _shortened(item.summary, 80) if item.summary != item.title else ""
    return ROW_HTML.format(
        html.escape(item.index_number),
        html.escape(f"{prefix}{item.pk}/"),  # item_path
        html.escape(item.title),
        f"<br><small>{html.escape(summary)}</small>" if summary else "",
        html.escape(item.issuer),
        item.written_on.isoformat() if item.written_on else "",
        timezone.localdate(item.published_at).isoformat(),
    )


def _shortened(text, length):
    """truncatechars without its Unicode-combining analysis (CJK text has none)."""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def _with(query, **params):
    query = query.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


def public_item(key, *, linked=False):
    """The public item for an id or a 索引号; Http404 when it is not public. linked:
    it also says whether it has attachments (`attached`) and public interpretations
    (`interpreted`), so that its page asks for them only when there are some (most
    items have neither: two queries fewer)."""
    moment = now()
    items = Item.objects.public(moment).select_related("agency")
    if linked:
        items = items.annotate(
            attached=Exists(ItemAttachment.objects.filter(item=OuterRef("pk"))),
            interpreted=Exists(Item.objects.public(moment).filter(interprets=OuterRef("pk"))),
        )
    lookup = Q(pk=int(key)) if key.isdigit() and len(key) < 19 else Q(index_number=key)
    item = items.filter(lookup).first()
    if item is None:
        raise Http404("没有找到这条政府信息：它可能尚未发布、已被撤回，或地址有误。")
    return item


@require_safe
@pagecache.cached
def item_page(request, key):
    item = public_item(key, linked=True)
    public = Item.objects.public(now()).only("id", "title", "published_at")
    policy = public.filter(pk=item.interprets_id).first() if item.interprets_id else None
    interpretations = (
        list(public.filter(interprets=item).order_by("published_at", "id"))
        if item.interpreted
        else []
    )
    page = context(
        item.agency,
        "catalogue",
        item=item,
        # cleaned on every save by publications; cleaned again here because rows can
        # also arrive without save() (bulk loads, imports)
        body=mark_safe(clean_body(item.body)),
        attachments=list(item.attachments.order_by("position", "id")) if item.attached else [],
        policy=policy,
        interpretations=interpretations,
    )
    body = render_to_string("portal/_item_body.html", page)
    return framed(request, "portal/item.html", page, body, title=item.title)


@require_safe
def attachment(request, pk, attachment_id):
    item = public_item(str(pk))
    file = get_object_or_404(item.attachments, pk=attachment_id)
    try:
        handle = file.file.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404("附件文件暂时无法读取，请稍后再试或联系本机关。") from None
    response = FileResponse(handle, content_type=file.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, file.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- 年度报告 --------------------------------------------------------------------------


def report_due(year):
    """Art. 49: a department publishes its report for `year` by 31 January of year+1."""
    return dt.date(year + 1, 1, 31)


@require_safe
@pagecache.cached
def reports(request, agency=None):
    agency = scope.resolve(agency)
    rows = list(
        PublishedReport.objects.filter(agency=agency)
        .order_by("-year", "-id")
        .only("id", "year", "published_on", "origin", "agency_id")
    )
    latest, earlier = {}, {}
    for row in rows:
        if row.year in latest:
            earlier[row.year] = earlier.get(row.year, 0) + 1
        else:
            latest[row.year] = row
    day = today()
    last_year = day.year - 1
    return render(
        request,
        "portal/reports.html",
        context(
            agency,
            "reports",
            reports=[
                (r, earlier.get(y, 0), scope.url("report", agency, y)) for y, r in latest.items()
            ],
            last_year=last_year,
            last_year_due=report_due(last_year),
            last_year_missing=last_year not in latest,
            last_year_late=last_year not in latest and day > report_due(last_year),
        ),
    )


def _report(agency, year, version=None):
    rows = PublishedReport.objects.filter(agency=agency, year=year).order_by("-id")
    if version:
        row = rows.filter(pk=version).first() if str(version).isdigit() else None
    else:
        row = rows.first()
    if row is None:
        raise Http404(f"{agency.name}没有公布{year}年度的年度报告。")
    return row, rows


@require_safe
def report(request, year, agency=None):
    agency = scope.resolve(agency)
    row, rows = _report(agency, year, request.GET.get("v"))
    versions = list(rows.only("id", "published_on", "note", "created_at", "year", "agency_id"))
    return render(
        request,
        "portal/report.html",
        context(
            agency,
            "reports",
            report=row,
            versions=versions,
            is_latest=row.pk == versions[0].pk,
            **reportview.public_context(row.data),
            downloads=[
                (fmt, name, ext, scope.url("report-download", agency, year, fmt))
                for fmt, (_ct, ext, name) in reportview.FORMATS.items()
            ],
        ),
    )


@require_safe
def report_download(request, year, fmt, agency=None):
    agency = scope.resolve(agency)
    if fmt not in reportview.FORMATS:
        raise Http404("没有这种下载格式。")
    row, _rows = _report(agency, year, request.GET.get("v"))
    content_type, extension, _name = reportview.FORMATS[fmt]
    data = reportview.render(row.data, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{agency.name}-{year}年政府信息公开工作年度报告.{extension}"
    )
    return response


def item_path(pk):
    """/xxgk/items/<pk>/ without a reverse() per row (the prefix is reversed once)."""
    return f"{_items_prefix(get_script_prefix())}{pk}/"


@functools.lru_cache(maxsize=8)
def _items_prefix(script_prefix):
    return reverse("portal:item", args=[0]).removesuffix("0/")
