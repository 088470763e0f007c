"""Script injection in every stored field is rendered inert."""

import pytest
from django.core.files.base import ContentFile

from gongkai.portal import publishing
from gongkai.portal.models import ReportOrigin
from gongkai.publications.models import ItemAttachment
from gongkai.reports import engine

from .factories import NOW, make_item
from .test_manage import HAINING

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def assert_inert(text):
    assert "<script>alert" not in text
    assert "<img src=x onerror" not in text
    assert "onerror=alert" not in text or "&lt;img" in text


def test_item_fields(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(
        world.agency,
        title=f"标题{EVIL}",
        document_number=f"文号{EVIL}",
        issuer=f"机关{EVIL}",
        summary=f"概述{EVIL}",
        body=f'<p>正文</p>{EVIL}<a href="javascript:alert(1)">链接</a>',
    )
    other = make_item(world.agency, title=f"解读{EVIL}", interprets=item)
    attachment = ItemAttachment(item=item, name=f"附件{EVIL}.pdf", uploaded_by=world.office)
    attachment.file.save("a.pdf", ContentFile(b"x"), save=False)
    attachment.save()
    for url in (
        f"/xxgk/items/{item.pk}/",
        f"/xxgk/items/{other.pk}/",
        "/xxgk/",
        "/xxgk/catalogue/",
        "/xxgk/catalogue/?q=标题",
        "/xxgk/statutory/",
        f"/xxgk/catalogue/?issuer=机关{EVIL}",
        f"/xxgk/catalogue/?q={EVIL}",
    ):
        text = client.get(url).content.decode()
        assert_inert(text)
    page = client.get(f"/xxgk/items/{item.pk}/").content.decode()
    assert "javascript:" not in page
    assert "&lt;script&gt;" in page  # the title is shown as text
    rss = client.get("/xxgk/feed/rss/").content.decode()
    assert "<script>" not in rss
    api = client.get(f"/xxgk/api/items/{item.pk}/").json()
    assert "<script" not in api["body_html"] and "javascript:" not in api["body_html"]


def test_page_versions(client, world):
    publishing.publish_page(
        world.agency,
        "guide",
        body=f"<p>指南</p>{EVIL}",
        note=f"说明{EVIL}",
        by=world.office,
        at=NOW,
    )
    for url in ("/xxgk/guide/", "/xxgk/guide/versions/1/"):
        text = client.get(url).content.decode()
        assert_inert(text)
        assert "&lt;script&gt;" in text  # the note, escaped


def test_report_text(client, world):
    report = engine.analyse_file(HAINING)
    report["agency"] = f"海宁{EVIL}"
    report["narrative"]["overview"] = f"总体情况{EVIL}"
    publishing.publish_report(
        world.agency,
        report,
        by=world.office,
        on=NOW.date(),
        origin=ReportOrigin.SAMPLE,
        note=f"说明{EVIL}",
    )
    for url in ("/xxgk/reports/", "/xxgk/reports/2021/", "/xxgk/reports/2021/download/html/"):
        assert_inert(client.get(url).content.decode())


def test_body_written_without_save_is_still_cleaned_on_output(client, world):
    from gongkai.publications.models import Item

    item = make_item(world.agency, title="批量导入的信息")
    Item.objects.filter(pk=item.pk).update(body=f"<p>导入</p>{EVIL}")  # bypasses save()
    assert_inert(client.get(f"/xxgk/items/{item.pk}/").content.decode())
    assert "<script" not in client.get(f"/xxgk/api/items/{item.pk}/").json()["body_html"]
