"""The read-only JSON API: shape, filters, cursor paging, errors in Chinese."""

import pytest

from gongkai.portal import publishing
from gongkai.portal.models import ReportOrigin
from gongkai.publications.models import Genre, Topic
from gongkai.reports import engine

from .factories import NOW, make_item
from .test_manage import HAINING

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "id",
    "index_number",
    "title",
    "document_number",
    "issuer",
    "written_on",
    "published_at",
    "genre",
    "topic",
    "category",
    "summary",
    "url",
    "api_url",
}


def test_items_shape_and_cursor_paging(client, world):
    made = [make_item(world.agency) for _ in range(5)]
    first = client.get("/xxgk/api/items/", {"limit": 2})
    assert first.status_code == 200
    assert first["Content-Type"].startswith("application/json")
    data = first.json()
    assert set(data) == {"api", "agency", "results", "next"}
    assert data["api"] == "gongkai.portal-api/1"
    assert data["agency"] == {"code": "SFGAJ", "name": "示范市公安局"}
    assert len(data["results"]) == 2
    row = data["results"][0]
    assert set(row) == ITEM_KEYS
    assert row["genre"] == {"code": "notice", "label": "通知"}
    assert row["url"] == f"http://testserver/xxgk/items/{row['id']}/"
    ids = [r["id"] for r in data["results"]]
    url = data["next"]
    while url:
        page = client.get(url).json()
        ids += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(ids) == sorted(i.pk for i in made) and len(ids) == 5


def test_items_filters_like_the_catalogue(client, world):
    make_item(world.agency, title="交通管制公告", topic=Topic.TRAFFIC, genre=Genre.ANNOUNCEMENT)
    make_item(world.agency, title="户籍通知")
    titles = lambda **q: [r["title"] for r in client.get("/xxgk/api/items/", q).json()["results"]]  # noqa: E731
    assert titles(q="交通") == ["交通管制公告"]
    assert titles(topic="household") == ["户籍通知"]
    assert titles(genre="announcement", topic="household") == []


@pytest.mark.parametrize(
    "query, message",
    [
        ({"limit": "0"}, "limit 应为 1 到 100 之间的整数"),
        ({"limit": "x"}, "limit 应为 1 到 100 之间的整数"),
        ({"cursor": "bad"}, "翻页参数无效"),
        ({"topic": "bad"}, "“主题分类”的值无效"),
        ({"date_from": "2026-02-30"}, "请按“2024-03-01”的格式填写日期"),
    ],
)
def test_items_errors_are_json_in_chinese(client, world, query, message):
    response = client.get("/xxgk/api/items/", query)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_item_detail_shape(client, world):
    policy = make_item(world.agency, title="户籍管理办法")
    reading = make_item(world.agency, title="办法解读", interprets=policy)
    data = client.get(f"/xxgk/api/items/{policy.pk}/").json()
    assert ITEM_KEYS <= set(data)
    assert data["body_html"].startswith("<p>")
    assert data["disclosure_mode"] == {"code": "proactive", "label": "主动公开"}
    assert data["agency"] == {"code": "SFGAJ", "name": "示范市公安局"}
    assert data["attachments"] == [] and data["interprets"] is None
    assert [i["id"] for i in data["interpretations"]] == [reading.pk]
    assert client.get(f"/xxgk/api/items/{reading.pk}/").json()["interprets"]["id"] == policy.pk
    missing = client.get("/xxgk/api/items/999999/")
    assert missing.status_code == 404 and "没有找到这条政府信息" in missing.json()["error"]


def test_reports_list_and_year(client, world):
    assert client.get("/xxgk/api/reports/").json()["results"] == []
    report = engine.analyse_file(HAINING)
    publishing.publish_report(
        world.agency, report, by=world.office, on=NOW.date(), origin=ReportOrigin.SAMPLE
    )
    listing = client.get("/xxgk/api/reports/").json()
    assert [r["year"] for r in listing["results"]] == [2021]
    assert listing["results"][0]["json_url"] == "http://testserver/xxgk/api/reports/2021/"
    data = client.get("/xxgk/api/reports/2021/").json()
    assert data["format"] == "gongkai.annual-report/1"
    assert data["year"] == 2021 and data["findings"] == []
    assert data["requests"]["new"]["total"] == report["requests"]["new"]["total"]
    missing = client.get("/xxgk/api/reports/2019/")
    assert missing.status_code == 404 and "没有公布2019年度" in missing.json()["error"]


def test_unknown_agency_is_json_404(client, world):
    response = client.get("/xxgk/NOPE/api/items/")
    assert response.status_code == 404 and "NOPE" in response.json()["error"]
