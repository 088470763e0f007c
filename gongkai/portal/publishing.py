"""Every change the portal's staff make: one explicit, atomic, audited function each.

publish_page: a new version of the 指南 or 制度 (Arts. 12, 19 of the 条例: the
    agency keeps them current). Versions are append-only; the newest is shown.
publish_report: an annual report put on the portal (Art. 49: 向社会公布 by 31
    January; Art. 50: its contents). A correction is a new row; earlier ones stay.

Only the agency's 政务公开办 (Role.OFFICE) and 系统管理员 (Role.ADMIN) may do either.
A refused change raises PortalError with a Chinese message and writes nothing.
Times and dates are passed in by the caller.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.agencies.models import Membership, Role
from gongkai.portal.models import (
    PageSlug,
    PageVersion,
    PortalPage,
    PublishedReport,
    ReportOrigin,
)
from gongkai.publications.sanitize import clean_body, plain, text_of

audit = logging.getLogger("gongkai.audit")

EDITOR_ROLES = frozenset({Role.OFFICE, Role.ADMIN})
REPORT_FORMAT = "gongkai.annual-report/1"
FIRST_YEAR = 2008  # the first year of the 2008 条例
MAX_NOTE = 200


class PortalError(Exception):
    """A change that may not be made; the message tells the user why (Chinese)."""


def may_edit(user, agency):
    """Whether `user` edits this agency's portal (政务公开办 or 系统管理员)."""
    if not (user and user.is_authenticated):
        return False
    return Membership.objects.filter(user=user, agency=agency, role__in=EDITOR_ROLES).exists()


def _require_editor(user, agency):
    if not may_edit(user, agency):
        names = "、".join(Role(r).label for r in sorted(EDITOR_ROLES))
        raise PortalError(f"您没有维护{agency.name}门户的权限：需要本机关的{names}角色。")


def _note(note):
    note = plain(note)
    if len(note) > MAX_NOTE:
        raise PortalError(f"说明最多 {MAX_NOTE} 个字，现有 {len(note)} 个字，请精简。")
    return note


def clean_page_body(body):
    """The stored form of a page body; PortalError if nothing readable is left."""
    cleaned = clean_body(body)
    if not text_of(cleaned).strip():
        raise PortalError("正文不能为空（不允许的标签和脚本会被去掉，去掉后没有剩下文字）。")
    return cleaned


@transaction.atomic
def publish_page(agency, slug, *, body, note, by, at):
    """Publish a new version of the agency's `slug` page; returns the PageVersion."""
    if slug not in PageSlug.values:
        raise PortalError("没有这个栏目：只能编辑“政府信息公开指南”和“政府信息公开制度”。")
    _require_editor(by, agency)
    cleaned, note = clean_page_body(body), _note(note)
    page, _ = PortalPage.objects.get_or_create(agency=agency, slug=slug)
    page = PortalPage.objects.select_for_update().get(pk=page.pk)  # one numbering at a time
    latest = page.versions.aggregate(n=Max("number"))["n"] or 0
    version = PageVersion.objects.create(
        page=page, number=latest + 1, body=cleaned, editor=by, published_at=at, note=note
    )
    audit.info(
        "portal page published: agency=%s slug=%s version=%s by=%s",
        agency.code,
        slug,
        version.number,
        by.pk,
    )
    return version


def check_report(agency, report, *, today):
    """Reasons this report cannot be published at all (Chinese); [] if it can."""
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        return ["报告数据不是 gongkai 年报交换格式（gongkai.annual-report/1）。"]
    problems = []
    year = report.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append("未能识别报告年度：请确认报告标题写明了“××××年”。")
    elif not FIRST_YEAR <= year < today.year:
        problems.append(
            f"报告年度 {year} 不在可发布的范围内：年度报告总结的是已经结束的年度"
            f"（{FIRST_YEAR}年至{today.year - 1}年）。"
        )
    if report.get("template") is None:
        problems.append(
            "未能识别报告格式（2019年、2021年格式的统计表或2008年的叙述式报告），"
            "公众页面无法按国家格式排版。"
        )
    return problems


def name_mismatch(agency, report):
    """A warning when the report names another agency (Chinese), else None."""
    named = str(report.get("agency") or "").strip()
    if named and named != agency.name:
        return f"报告中的机关名称“{named}”与本机关“{agency.name}”不一致，请确认没有传错文件。"
    return None


@transaction.atomic
def publish_report(
    agency, report, *, by, on, origin, source_name="", source_bytes=None, note="", today=None
):
    """Put an annual report on the portal; returns the PublishedReport.

    report: the interchange dict (from gongkai.reports.engine or from records).
    on: the publication date shown to the public (发布日期).
    source_bytes: the original file, kept for the record when given.
    """
    _require_editor(by, agency)
    problems = check_report(agency, report, today=today or on)
    if problems:
        raise PortalError(" ".join(problems))
    row = PublishedReport(
        agency=agency,
        year=report["year"],
        data=report,
        published_on=on,
        origin=origin,
        source_name=plain(source_name)[:200],
        note=_note(note),
        published_by=by,
    )
    if source_bytes is not None:
        extension = source_name.rsplit(".", 1)[-1].lower() if "." in source_name else "bin"
        name = f"{agency.code}-{report['year']}.{extension[:8]}"
        row.source_file.save(name, ContentFile(source_bytes), save=False)
    row.save()
    audit.info(
        "portal report published: agency=%s year=%s id=%s by=%s",
        agency.code,
        row.year,
        row.pk,
        by.pk,
    )
    return row


@transaction.atomic
def publish_approved(agency, report, *, by, at=None, note=""):
    """Put a report written and approved in the system (gongkai.annual) on the portal.

    Dated with the moment of publication (`at`, default now): there is no date to type,
    so a report cannot be shown as published earlier than it was (Art. 49's 31 January
    is judged on the real date). note: the 更正说明 of a corrected version ("" first time).
    Returns the PublishedReport.
    """
    at = at or timezone.now()
    day = timezone.localdate(at)
    data = {**report, "published": day.isoformat()}
    return publish_report(
        agency,
        data,
        by=by,
        on=day,
        origin=ReportOrigin.RECORDS,
        note=f"更正说明：{note}" if note else "经审核、审批后发布",
        today=day,
    )
