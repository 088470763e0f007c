"""The 年度报告 archive: list, the national layout, downloads, versions, Art. 49 notice."""

import datetime as dt
import io
import zipfile

import docx
import pytest

from gongkai.demo import portal as demo
from gongkai.portal import publishing, views
from gongkai.portal.models import PageVersion, PublishedReport, ReportOrigin
from gongkai.reports import engine

from .factories import NOW, at
from .test_manage import HAINING

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    report = engine.analyse_file(HAINING)
    return publishing.publish_report(
        world.agency,
        report,
        by=world.office,
        on=dt.date(2022, 1, 15),
        origin=ReportOrigin.UPLOAD,
        source_name=HAINING.name,
        today=NOW.date(),
    )


def test_archive_lists_years_and_report_page_has_the_national_tables(client, published):
    listing = client.get("/xxgk/reports/").content.decode()
    assert "示范市公安局2021年政府信息公开工作年度报告" in listing
    assert 'href="/xxgk/reports/2021/"' in listing
    page = client.get("/xxgk/reports/2021/")
    text = page.content.decode()
    assert page.status_code == 200
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ):
        assert heading in text
    assert 'class="report-table report-requests"' in text
    assert "finding-error" not in text  # the checker's highlights are for staff only
    assert "海宁市公安局" in text  # the narrative as published


def test_downloads(client, published):
    word = client.get("/xxgk/reports/2021/download/docx/")
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    document = docx.Document(io.BytesIO(word.content))
    assert len(document.tables) >= 3
    assert zipfile.is_zipfile(io.BytesIO(word.content))
    data = client.get("/xxgk/reports/2021/download/json/").json()
    assert data["year"] == 2021 and data["findings"] == []
    assert client.get("/xxgk/reports/2021/download/exe/").status_code == 404
    assert client.get("/xxgk/reports/2019/").status_code == 404


def test_a_correction_keeps_the_earlier_version(client, world, published):
    report = dict(published.data, narrative={"overview": "更正后的总体情况。"})
    newer = publishing.publish_report(
        world.agency,
        report,
        by=world.office,
        on=dt.date(2022, 2, 1),
        origin=ReportOrigin.UPLOAD,
        note="更正表三数字",
        today=NOW.date(),
    )
    text = client.get("/xxgk/reports/2021/").content.decode()
    assert "更正后的总体情况" in text and "发布记录" in text and "更正表三数字" in text
    old = client.get(f"/xxgk/reports/2021/?v={published.pk}").content.decode()
    assert "此前发布的版本" in old and "更正后的总体情况" not in old
    listing = client.get("/xxgk/reports/").content.decode()
    assert "另有 1 个此前发布的版本" in listing
    assert newer.pk != published.pk


def test_article_49_notice_when_last_years_report_is_late(client, world, monkeypatch):
    monkeypatch.setattr(views, "now", lambda: at("2026-02-10 09:00"))
    text = client.get("/xxgk/reports/").content.decode()
    assert "2025年度报告应于 2026年1月31日 前公布，本网站尚未发布" in text
    monkeypatch.setattr(views, "now", lambda: at("2026-01-10 09:00"))
    from django.core.cache import cache

    cache.clear()
    text = client.get("/xxgk/reports/").content.decode()
    assert "2025年度报告将于 2026年1月31日 前公布" in text


@pytest.mark.parametrize(
    "change, message",
    [
        ({"year": None}, "未能识别报告年度"),
        ({"year": 2026}, "不在可发布的范围内"),
        ({"template": None}, "未能识别报告格式"),
        ({"format": "x"}, "不是 gongkai 年报交换格式"),
    ],
)
def test_unpublishable_reports_are_refused(world, change, message):
    report = {**engine.analyse_file(HAINING), **change}
    with pytest.raises(publishing.PortalError, match=message):
        publishing.publish_report(
            world.agency,
            report,
            by=world.office,
            on=NOW.date(),
            origin=ReportOrigin.UPLOAD,
            today=NOW.date(),
        )
    assert not PublishedReport.objects.exists()


def test_sample_report_is_labelled_as_someone_elses(client, world):
    report = engine.analyse_file(HAINING)
    publishing.publish_report(
        world.agency,
        report,
        by=world.office,
        on=NOW.date(),
        origin=ReportOrigin.SAMPLE,
        today=NOW.date(),
    )
    text = client.get("/xxgk/reports/2021/").content.decode()
    assert "示例：这份报告是海宁市公安局公开发布的真实年度报告" in text


def test_non_editor_cannot_publish(world):
    with pytest.raises(publishing.PortalError, match="没有维护"):
        publishing.publish_page(
            world.agency, "guide", body="<p>x</p>", note="x", by=world.registrar, at=NOW
        )


def test_demo_seeds_guide_rules_and_a_report_once(world):
    first = demo.load(world.agency, today=NOW.date(), editor=world.office)
    assert first[0] == 2 and first[1] >= 1
    assert demo.load(world.agency, today=NOW.date(), editor=world.office) == (0, 0)
    guide = PageVersion.objects.get(page__slug="guide")
    assert "示范市人民路1号" in guide.body and "《条例》第三十三条" in guide.body
    assert PublishedReport.objects.filter(agency=world.agency).exists()
