"""年报期限 in the daily `gongkai notify`: from 1 January until last year's report is
published, the office, office head and leader get a notice (and mail); late after 31
January; none once it is published; none twice a day."""

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gongkai.annual import workflow
from gongkai.supervision import notify
from gongkai.supervision.models import Notice, NoticeKind

from .conftest import fill_placeholders


def _notices(day):
    return Notice.objects.filter(kind=NoticeKind.ANNUAL_REPORT, created_on=day)


def test_from_1_january_the_three_roles_are_told(world):
    for user in (world.office, world.office_head, world.leader):
        user.email = f"{user.username}@example.org"
        user.save()
    day = dt.date(2027, 1, 4)
    out = StringIO()
    call_command("notify", "--date", day.isoformat(), "--agency", "gaj", stdout=out)
    rows = _notices(day)
    assert sorted(rows.values_list("recipient__username", flat=True)) == [
        "leader",
        "office",
        "office_head",
    ]
    notice = rows.first()
    assert "2027年1月31日前公布" in notice.message and "尚未起草" in notice.message
    assert notice.link == "/annual/gaj/2026/" and notice.case is None
    assert "年报期限" in out.getvalue()
    assert {m.to[0] for m in mail.outbox} >= {"office@example.org", "leader@example.org"}
    # Again the same day: nothing new.
    call_command("notify", "--date", day.isoformat(), "--agency", "gaj", stdout=StringIO())
    assert _notices(day).count() == 3


def test_late_after_31_january_and_silent_once_published(world):
    annual = workflow.start(world.agency, 2026, by=world.office, today=dt.date(2027, 1, 5))
    late = dt.date(2027, 2, 2)
    notify.annual_report_notices(late, agency_code="gaj")
    message = _notices(late).first().message
    assert "已超过公布期限" in message and "处于“起草”环节" in message
    annual = fill_placeholders(annual, world.office)
    annual = workflow.submit(annual, by=world.office, today=late)
    annual = workflow.review(annual, by=world.office_head, decision="agree")
    annual = workflow.approve(annual, by=world.leader, decision="agree")
    workflow.publish(annual, by=world.office, at=timezone.make_aware(dt.datetime(2027, 2, 3, 9)))
    after = dt.date(2027, 2, 4)
    assert notify.annual_report_notices(after, agency_code="gaj") == []
    assert not _notices(after).exists()


def test_dry_run_writes_nothing(world):
    lines = notify.annual_report_notices(dt.date(2027, 1, 4), agency_code="gaj", dry_run=True)
    assert lines and "将发出 3 条" in lines[0]
    assert not Notice.objects.exists()
