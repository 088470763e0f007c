"""The 目录: Chinese search, filters, keyset paging, bad input explained."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from gongkai.portal import catalogue, search
from gongkai.publications.models import Category, Genre, Topic

from .factories import NOW, at, make_item

pytestmark = pytest.mark.django_db
URL = "/xxgk/catalogue/"


def titles(response):
    return [row.title for row in response.context["items"]]


@pytest.fixture
def items(world):
    return {
        "hukou": make_item(world.agency, title="关于户籍迁移办理流程的公告", topic=Topic.HOUSEHOLD),
        "traffic": make_item(
            world.agency,
            title="冬季道路安全提示",
            body="<p>请注意<strong>交通管理</strong>措施，雨雪天气减速慢行。</p>",
            topic=Topic.TRAFFIC,
            genre=Genre.ANNOUNCEMENT,
            category=Category.TRAFFIC,
            issuer="示范市公安局交通警察支队",
            published_at=at("2025-12-20 10:00"),
        ),
        "fraud": make_item(
            world.agency,
            title="警惕新型电信网络诈骗",
            body="<p>反诈中心提醒：不要向陌生账户转账。</p>",
            topic=Topic.ANTI_FRAUD,
            published_at=at("2026-01-15 10:00"),
        ),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("户籍", {"关于户籍迁移办理流程的公告"}),  # two characters, in a title
        ("交通管理", {"冬季道路安全提示"}),  # in the body, across a tag-free run
        ("反诈", {"警惕新型电信网络诈骗"}),  # body only
        ("诈", {"警惕新型电信网络诈骗"}),  # one character
        ("电信网络诈骗", {"警惕新型电信网络诈骗"}),
        ("  户籍\t", {"关于户籍迁移办理流程的公告"}),  # spaces trimmed
        ("户籍管理办法", set()),
        ("strong", set()),  # markup is not text... on PostgreSQL; see below
    ],
)
def test_search_finds_chinese_words(client, items, query, expected, django_db_setup):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    found = set(titles(response))
    if query == "strong":
        # SQLite's icontains sees the stored HTML; PostgreSQL's index ignores tags but the
        # exact check still reads the HTML, so "strong" may match there too. Either way
        # the result is a subset of the item that has the tag.
        assert found <= {"冬季道路安全提示"}
    else:
        assert found == expected


def test_search_is_not_fooled_by_split_pairs(client, world):
    """Both pairs of 安全 occur, but not the word itself: the exact check decides."""
    make_item(world.agency, title="平安 全民", body="")
    make_item(world.agency, title="安全生产检查", body="")
    assert titles(client.get(URL, {"q": "安全"})) == ["安全生产检查"]


def test_a_summary_that_repeats_the_title_is_printed_once(client, world):
    make_item(world.agency, title="南门派出所办公时间", summary="南门派出所办公时间")
    make_item(world.agency, title="冬季交通安全提示", summary="雨雪天气减速慢行。")
    page = client.get(URL).content.decode()
    assert page.count("南门派出所办公时间") == 1
    assert "<small>雨雪天气减速慢行。</small>" in page


def test_filters(client, items):
    assert titles(client.get(URL, {"topic": "traffic"})) == ["冬季道路安全提示"]
    assert titles(client.get(URL, {"genre": "announcement"})) == ["冬季道路安全提示"]
    assert titles(client.get(URL, {"category": "traffic"})) == ["冬季道路安全提示"]
    assert titles(client.get(URL, {"issuer": "示范市公安局交通警察支队"})) == ["冬季道路安全提示"]
    in_january = client.get(URL, {"date_from": "2026-01-01", "date_to": "2026-01-31"})
    assert "警惕新型电信网络诈骗" in titles(in_january)
    assert "冬季道路安全提示" not in titles(in_january)
    one_day = client.get(URL, {"date_from": "2025-12-20", "date_to": "2025-12-20"})
    assert titles(one_day) == ["冬季道路安全提示"]
    both = client.get(URL, {"q": "安全", "topic": "household"})
    assert titles(both) == []
    assert "没有找到符合条件的政府信息" in both.content.decode()


def test_bad_filters_are_explained(client, items):
    response = client.get(URL, {"topic": "nonsense", "date_from": "2026-13-01"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“主题分类”的值无效" in text and "请按“2024-03-01”的格式填写日期" in text
    reversed_range = client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert reversed_range.status_code == 400
    assert "晚于截止日" in reversed_range.content.decode()


def test_keyset_pages_cover_everything_once_newest_first(client, world):
    same_moment = at("2026-01-05 08:00")
    made = [make_item(world.agency, published_at=same_moment) for _ in range(25)]
    made += [make_item(world.agency) for _ in range(20)]
    seen, query, pages = [], {}, 0
    while True:
        response = client.get(URL, query)
        assert response.status_code == 200
        rows = response.context["items"]
        assert len(rows) <= catalogue.PAGE_SIZE
        seen += rows
        pages += 1
        if not response.context["next_query"]:
            assert "已是最后一页" in response.content.decode()
            break
        query = dict(pair.split("=") for pair in response.context["next_query"].split("&"))
    assert pages == 3
    assert sorted(r.pk for r in seen) == sorted(i.pk for i in made)
    published = {item.pk: item.published_at for item in made}
    keys = [(published[r.pk], r.pk) for r in seen]
    assert keys == sorted(keys, reverse=True)


def test_bad_cursor_is_explained(client, items):
    response = client.get(URL, {"after": "garbage"})
    assert response.status_code == 400
    assert "翻页参数无效" in response.content.decode()


def test_no_count_over_the_table(client, items, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as queries:
        client.get(URL, {"q": "户籍", "topic": "household"})
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_only_public_items_are_listed(client, world):
    from gongkai.publications.models import Status

    make_item(world.agency, title="草稿不应出现", status=Status.DRAFT, published_at=None)
    make_item(world.agency, title="定时发布未到时间", published_at=NOW + dt.timedelta(hours=1))
    make_item(world.agency, title="已公开的信息")
    assert titles(client.get(URL)) == ["已公开的信息"]


def test_catalogue_of_the_other_agency_is_separate(client, world):
    make_item(world.other, title="邻市的户籍通知", issuer="邻市公安局")
    assert titles(client.get(URL, {"q": "户籍"})) == []
    response = client.get(reverse("portal:a-catalogue", args=["LSGAJ"]), {"q": "户籍"})
    assert titles(response) == ["邻市的户籍通知"]


def test_word_deep_in_a_very_long_body_is_found(client, world):
    """The index covers the first 50,000 characters; longer bodies are still searched."""
    filler = "<p>" + "本段为正文内容。" * 8000 + "</p>"  # 64,000 characters
    make_item(world.agency, title="长篇文件", body=filler + "<p>末尾的关键词麒麟</p>")
    make_item(world.agency, title="短文件", body="<p>没有那个词</p>")
    assert titles(client.get(URL, {"q": "麒麟"})) == ["长篇文件"]


def test_words_without_case_are_compared_as_they_are(client, world, settings):
    """Han characters, digits and spaces are found without lower() (nothing lower-casing
    changes); anything else is still found whatever its case."""
    settings.PORTAL_CACHE_SECONDS = 0  # every request reaches the view
    assert search.caseless("户籍") and search.caseless("交通 管理 2025")
    assert not search.caseless("GPS") and not search.caseless("gps")
    assert not search.caseless("户籍Ⅻ") and not search.caseless("\u0307")  # ⅻ; İ → i̇
    make_item(world.agency, title="GPS定位户籍业务", body="<p>办理ABC证件</p>")
    make_item(world.agency, title="其他", body="<p>户籍2025年</p>")
    sent = []

    def searched(query):
        sent.clear()
        with connection.execute_wrapper(
            lambda run, sql, *args: sent.append(sql) or run(sql, *args)
        ):
            found = titles(client.get(URL, {"q": query}))
        return found, [sql for sql in sent if "strpos" in sql]

    found, han = searched("户籍")
    assert len(found) == 2
    assert searched("户籍2025")[0] == ["其他"]
    found, latin = searched("gps定位")
    assert found == ["GPS定位户籍业务"]
    assert searched("abc证件")[0] == ["GPS定位户籍业务"]
    if connection.vendor == "postgresql":
        assert han and not any("lower(" in sql for sql in han)
        assert latin and all("strpos(lower(" in sql for sql in latin)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search step 2 is PostgreSQL's")
def test_search_step_2_starts_no_parallel_workers(client, world, monkeypatch, settings):
    """Step 2 reads through the index without parallel workers (their start costs more
    than the few rows they would read)."""
    settings.PORTAL_CACHE_SECONDS = 0
    monkeypatch.setattr(catalogue, "PROBE", 3)
    for n in range(6):
        make_item(world.agency, title=f"麒麟通告{n}", published_at=at(f"2024-0{n + 1}-01 09:00"))
    workers = []

    def record(run, sql, params, many, context):
        if "@@" in sql:  # the index test: step 2
            with context["connection"].connection.cursor() as cursor:
                cursor.execute("SHOW max_parallel_workers_per_gather")
                workers.append(cursor.fetchone()[0])
        return run(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert len(titles(client.get(URL, {"q": "麒麟"}))) == 6
    assert workers and set(workers) == {"0"}


@pytest.mark.parametrize("probe", [3, 1000])
def test_search_steps_find_new_and_old_matches(client, world, monkeypatch, probe):
    """With a small probe the newest items are searched in order and the older ones
    through the index (PostgreSQL); the result is the same either way."""
    monkeypatch.setattr(catalogue, "PROBE", probe)
    old = [
        make_item(world.agency, title=f"旧的麒麟通告{n}", published_at=at(f"2024-0{n}-01 09:00"))
        for n in range(1, 6)
    ]
    newest = [make_item(world.agency, title=f"新的通告{n}", body="") for n in range(8)]
    other_topic = make_item(
        world.agency, title="麒麟交通提示", topic=Topic.TRAFFIC, published_at=at("2024-07-01")
    )
    found = titles(client.get(URL, {"q": "麒麟"}))
    assert found == ["麒麟交通提示"] + [i.title for i in reversed(old)]
    assert titles(client.get(URL, {"q": "麒麟", "topic": "traffic"})) == [other_topic.title]
    assert titles(client.get(URL, {"q": "麒麟", "topic": "fire"})) == []
    assert titles(client.get(URL, {"q": "新的"})) == [i.title for i in newest]  # newest first
    assert titles(client.get(URL, {"q": "麒"})) == found  # one character: prefix of pairs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_in_month_windows_equals_reading_everything(client, world, monkeypatch, seed):
    """A word in some of the items spread over three years, at several densities: every
    page of the search (probe, month window, all older) is exactly the matching items,
    newest first, each once, on either database."""
    import random

    rng = random.Random(seed)
    monkeypatch.setattr(catalogue, "PROBE", 6)
    monkeypatch.setattr(catalogue, "PAGE_SIZE", 4)
    windows, real_window = [], search.window
    monkeypatch.setattr(search, "window", lambda *a: windows.append(real_window(*a)) or windows[-1])
    share = (0.05, 0.3, 0.8)[seed - 1]
    start = at("2023-01-01 08:00")
    made = []
    for n in range(90):
        moment = start + dt.timedelta(days=rng.randrange(0, 3 * 365), minutes=n)
        word = rng.random() < share
        title = f"关于{'麒麟' if word else '户籍'}事项的通知{n}"
        made.append((moment, make_item(world.agency, title=title, published_at=moment), word))
    newest_first = sorted(made, key=lambda m: (m[0], m[1].pk), reverse=True)
    expected = [item.pk for _moment, item, word in newest_first if word]
    seen, query = [], {"q": "麒麟"}
    while True:
        response = client.get(URL, query)
        assert response.status_code == 200
        seen += [row.pk for row in response.context["items"]]
        if not response.context["next_query"]:
            break
        query = dict(pair.split("=") for pair in response.context["next_query"].split("&"))
        query["q"] = "麒麟"
    assert seen == expected
    if connection.vendor == "postgresql" and share > 0.1:
        assert any(windows), "the month window step was not exercised"


def test_the_filter_form_kept_per_query_shows_each_query_s_own_values_and_errors(
    client, items, settings, monkeypatch
):
    """views._checked keeps the query's check and the form's HTML per query: another
    query, another form; the same query (a later page, a second visitor) the same
    form, errors included, without making the form again."""
    from gongkai.portal import views

    settings.PORTAL_CACHE_SECONDS = 0  # every request reaches the view
    url = URL
    views._checked_queries.clear()
    views._form_pieces.clear()  # (the test alone, or after others: the same count)
    made = []
    real_form = views.CatalogueForm
    monkeypatch.setattr(
        views, "CatalogueForm", lambda *a, **k: made.append(1) or real_form(*a, **k)
    )
    for _ in range(2):
        traffic = client.get(url, {"topic": Topic.TRAFFIC}).text
        assert f'<option value="{Topic.TRAFFIC}" selected>' in traffic
        other = client.get(url, {"topic": Topic.HOUSEHOLD}).text
        assert f'<option value="{Topic.HOUSEHOLD}" selected>' in other
        assert f'<option value="{Topic.TRAFFIC}" selected>' not in other
        bad = client.get(url, {"date_from": "2024-13-01"})
        assert bad.status_code == 400 and "请按“2024-03-01”的格式填写日期" in bad.text
        plain = client.get(url).text
        assert f'<option value="{Topic.TRAFFIC}" selected>' not in plain
        assert "请按“2024-03-01”的格式填写日期" not in plain
    assert len(views._checked_queries) == 4  # kept once each, served from there the 2nd time
    assert len(made) == 4 + 2  # and the empty form, cut for a filtered and a plain form


@pytest.mark.parametrize(
    "filters, later",
    [
        ({}, False),
        ({}, True),
        ({"topic": Topic.TRAFFIC}, False),
        ({"genre": Genre.NOTICE, "category": Category.PUBLIC_ORDER}, True),
        ({"issuer": "示范市公安局", "date_from": dt.date(2025, 6, 1)}, False),
        ({"date_from": dt.date(2025, 6, 1), "date_to": dt.date(2025, 12, 20)}, True),
        ({"q": "户籍"}, False),
        ({"q": "户籍管理", "topic": Topic.TRAFFIC}, True),
    ],
)
def test_rows_of_the_compiled_query_are_the_orm_s_rows(world, monkeypatch, filters, later):
    """The 目录 page's rows (its queries compiled once per shape, run with each request's
    values) are the rows the ORM gives, for every kind of filter, a search (both steps on
    PostgreSQL) and a later page; every shape is compiled, none refused."""
    for n in range(30):
        make_item(world.agency, topic=Topic.TRAFFIC if n % 3 else Topic.HOUSEHOLD)
        make_item(world.other)
    make_item(world.agency, title="定时发布", published_at=NOW + dt.timedelta(hours=2))
    monkeypatch.setattr(catalogue, "PROBE", 8)  # the search's steps 1 and 2 both used
    wanted = catalogue.Filters(**filters)
    for agency in (world.agency, None):
        after = None
        if later:
            first, after = catalogue.find(NOW, agency, wanted, size=5)
            assert after
        rows, more = catalogue.find(NOW, agency, wanted, after, size=7, rows_only=True)
        items, more_items = catalogue.find(NOW, agency, wanted, after, size=7)

        def fields(found):
            return [tuple(getattr(r, name) for name in catalogue.LIST_FIELDS) for r in found]

        assert rows and fields(rows) == fields(items)
        assert more == more_items
        if connection.vendor == "postgresql" or not wanted.q:  # SQLite: icontains, Items
            assert all(isinstance(r, catalogue.Row) for r in rows)
    shapes = [s for s in catalogue._compiled.shapes.values()]
    assert shapes and None not in shapes


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "户籍"},
        {"q": '"><script>', "topic": Topic.TRAFFIC, "genre": Genre.NOTICE},
        {"category": Category.TRAFFIC, "issuer": "示范市公安局", "date_from": "2025-01-01"},
        {"date_from": "2025-01-01", "date_to": "2025-02-01", "q": "交通 管理"},
    ],
)
def test_a_new_query_s_form_is_the_template_s_form(world, query):
    """A valid query's form, put together from the empty form's pieces and the query's
    widgets, is exactly what the template writes for it."""
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from gongkai.portal import views

    views._checked_queries.clear()
    views._form_pieces.clear()
    params = QueryDict(mutable=True)
    params.update(query)
    links = views.links(world.agency)
    filters, errors, html = views._checked(params, links, params.urlencode(), ["示范市公安局"])
    assert not errors and views._form_pieces and all(views._form_pieces.values())
    form = views.CatalogueForm(params or None, issuers=["示范市公安局"])
    assert not params or form.is_valid()
    expected = render_to_string(
        views.FORM_TEMPLATE, {"form": form, "links": links, "filtered": filters.any()}
    )
    assert html == expected


def test_a_form_of_kept_widgets_is_the_template_s_form(world):
    """Widgets kept from earlier queries (the same value of a field in another query,
    a field left empty, the empty form) put together a form that is exactly what the
    template writes for the new query."""
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from gongkai.portal import views

    views._checked_queries.clear()
    views._widgets.clear()
    links = views.links(world.agency)
    queries = [
        "",
        "topic=traffic&date_from=2025-01-01",
        "genre=notice&date_from=2025-01-01&date_to=2025-01-28",
        "q=%E6%88%B7%E7%B1%8D&topic=traffic&date_to=2025-01-28",
        "category=traffic&issuer=%E7%A4%BA%E8%8C%83&q=%22%3E%3Cb%3E",
        "topic=traffic&topic=household&date_from=2025-01-01",
        "",
    ]
    for query in queries:
        params = QueryDict(query)
        filters, errors, html = views._checked(params, links, query, ["示范市公安局"])
        form = views.CatalogueForm(params or None, issuers=["示范市公安局"])
        assert not errors and (not params or form.is_valid())
        expected = render_to_string(
            views.FORM_TEMPLATE, {"form": form, "links": links, "filtered": filters.any()}
        )
        assert html == expected, query
    assert len(views._widgets) > len(views.CatalogueForm.base_fields)  # kept, and reused


def test_a_miss_reads_the_default_agency_and_issuers_once_per_generation(
    client, world, settings, django_assert_num_queries
):
    """A 目录 page not in the page cache takes the default agency and the 发文机关 list
    from the process while the page cache's generation stands (no cache round trip, no
    query), and reads them again once it moves on (a publication)."""
    from django.core.cache import cache

    from gongkai.portal import pagecache

    settings.PORTAL_CACHE_SECONDS = 30
    settings.PORTAL_AGENCY_CODE = world.agency.code  # as in production
    make_item(world.agency)
    assert client.get(URL, {"topic": Topic.TRAFFIC}).status_code == 200
    cache.delete_many(["portal:default-agency", f"portal:issuers:{world.agency.pk}"])
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q1:  # the page's own query only
        assert client.get(URL, {"topic": Topic.HOUSEHOLD}).status_code == 200
    assert len(q1) == 1, [q["sql"] for q in q1.captured_queries]
    make_item(world.agency, issuer="新的发文机关")
    pagecache.GENERATION.move_on()  # as once the publication commits (apps.py)
    with django_assert_num_queries(3):  # the agency, the issuers, the page
        page = client.get(URL, {"genre": Genre.NOTICE}).text
    assert '<option value="新的发文机关">' in page
