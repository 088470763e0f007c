"""The portal of the demo bureau (示范市公安局) for `make run`: 指南, 制度, annual reports.

Idempotent: a page that already has a version and a year that already has a report
are left alone. The reports are the bureau's own, built from its demo records
(gongkai.registers.stats.annual_report) for the three full years before `today`;
when no year can be built, one real report of another agency (a seed, 临夏州公安局
2023) is published as a clearly labelled example (ReportOrigin.SAMPLE).
"""

import datetime as dt
import zoneinfo

from django.contrib.auth.models import User
from django.db import transaction

from gongkai.agencies.models import Agency
from gongkai.portal import defaults, publishing
from gongkai.portal.manage import annual_report_builder
from gongkai.portal.models import PageSlug, PageVersion, PublishedReport, ReportOrigin
from gongkai.reports import engine, samples

EDITOR = "clerk"  # the demo 政务公开办 user (gongkai.demo.users)
CONTACTS = {
    "address": "示范市人民路1号示范市公安局政务服务中心一楼政务公开窗口",
    "hours": "工作日上午9:00—12:00，下午13:30—17:00",
    "phone": "0000-12345678",
    "fax": "0000-12345679",
    "postcode": "000000",
}
SAMPLE = "linxia-2023"  # a 2021-format report (临夏州公安局 2023)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _noon(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=TZ)


@transaction.atomic
def load(agency, *, today, editor=None):
    """Seed `agency`'s portal; returns (pages published, reports published)."""
    editor = editor or User.objects.get(username=EDITOR)
    pages = 0
    bodies = {
        PageSlug.GUIDE: defaults.guide(agency, **CONTACTS),
        PageSlug.RULES: defaults.rules(agency),
    }
    for slug, body in bodies.items():
        if not PageVersion.objects.filter(page__agency=agency, page__slug=slug).exists():
            publishing.publish_page(
                agency, slug, body=body, note="首次发布", by=editor, at=_noon(today)
            )
            pages += 1
    return pages, _reports(agency, today, editor)


def _reports(agency, today, editor):
    if PublishedReport.objects.filter(agency=agency).exists():
        return 0
    builder, made = annual_report_builder(), 0
    for year in range(today.year - 3, today.year):
        if builder is None:
            break
        try:
            report = builder(agency, year)
        except ValueError:  # e.g. a year before the 2021 format: the registers say why
            continue
        report["agency"] = agency.name
        on = min(dt.date(year + 1, 1, 20), today)
        publishing.publish_report(
            agency,
            report,
            by=editor,
            on=on,
            origin=ReportOrigin.RECORDS,
            today=today,
            note="由本机关办件和台账记录生成",
        )
        made += 1
    if made:
        return made
    name, text = samples.read(SAMPLE)
    report = engine.analyse_text(text, filename=name)
    publishing.publish_report(
        agency,
        report,
        by=editor,
        on=today,
        origin=ReportOrigin.SAMPLE,
        today=today,
        source_name=name,
        note="示例：其他机关的真实报告",
    )
    return 1


def load_demo_bureau(today):
    from gongkai.demo.bureau import AGENCY_CODE

    return load(Agency.objects.get(code=AGENCY_CODE), today=today)
