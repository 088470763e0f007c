"""Up the hierarchy: the supervising agency's figures page (下级机关) lists each
subordinate's annual report, links the published one, and marks late ones (Art. 49)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongkai.annual import workflow
from gongkai.supervision import views as supervision_views

from .conftest import fill_placeholders


@pytest.fixture
def parent(world):
    client = Client()
    client.force_login(world.parent_office)
    return client


def _publish(world, at):
    annual = fill_placeholders(
        workflow.start(world.agency, 2026, by=world.office, today=at.date()), world.office
    )
    annual = workflow.submit(annual, by=world.office, today=at.date())
    annual = workflow.review(annual, by=world.office_head, decision="agree")
    annual = workflow.approve(annual, by=world.leader, decision="agree")
    return workflow.publish(annual, by=world.office, at=at)


def _reports_table(client):
    response = client.get("/supervision/subordinates/?year=2026")
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="subordinate-reports"') :]


def test_unpublished_then_late_then_published_late(world, parent, monkeypatch):
    monkeypatch.setattr(supervision_views, "today", lambda: dt.date(2027, 1, 20))
    table = _reports_table(parent)
    assert "示范市公安局" in table and "未发布" in table and "已逾期" not in table
    monkeypatch.setattr(supervision_views, "today", lambda: dt.date(2027, 2, 5))
    assert "已逾期" in _reports_table(parent)
    _publish(world, timezone.make_aware(dt.datetime(2027, 2, 6, 10)))
    table = _reports_table(parent)
    assert "2027年2月6日 发布" in table and "逾期发布" in table and "已发布" in table
    assert "/xxgk/gaj/reports/2026/" in table


def test_published_in_time_is_not_late(world, parent, monkeypatch):
    monkeypatch.setattr(supervision_views, "today", lambda: dt.date(2027, 3, 1))
    _publish(world, timezone.make_aware(dt.datetime(2027, 1, 25, 10)))
    table = _reports_table(parent)
    assert "2027年1月25日 发布" in table and "逾期" not in table.split("</table>")[0]


def test_the_subordinate_itself_does_not_see_the_supervisors_page(world):
    client = Client()
    client.force_login(world.office)
    assert client.get("/supervision/subordinates/?year=2026").status_code == 403
