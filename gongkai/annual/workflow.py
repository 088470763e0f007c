"""Every change to an annual report: one explicit, atomic, audited function each.

The steps (issue 18; Art. 49: the report is published by 31 January; Art. 50: its
contents):
- start    政务公开办 drafts the report of a year from the records (figures.py,
           drafting.py); a year not yet begun, a year before the 2021 format, or a
           year whose report already exists is refused.
- edit     政务公开办 edits the text of sections 一、五、六 (and explains warnings)
           while the report is 起草.
- submit   政务公开办 sends it to 审核: the year must be over, the checker must find
           no error, and every warning needs a written explanation.
- review   工作机构负责人: 同意 → 审批, or 退回 (with a reason) → 起草.
- approve  分管领导: 同意 → 已批准, the report locked as a frozen snapshot; or 退回.
- publish  政务公开办 puts the approved snapshot on the portal's 年度报告 column,
           dated with the real moment of publication (no typed date).
- correct  政务公开办 reopens a published report with a 更正说明: back to 起草, through
           审核 and 审批 again; publishing it adds a new portal version with the 更正说明
           (the earlier version stays listed).
Each step writes an Opinion (who, role, when, 同意/退回, the opinion text). A refused
step raises AnnualError with a Chinese message and writes nothing.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.agencies.models import Membership, Role, missing_role
from gongkai.portal import publishing

from . import assembly, drafting, figures
from .models import SECTION_TITLES, SECTIONS, AnnualReport, Decision, Opinion, Status, Step

audit = logging.getLogger("gongkai.audit")

FIRST_YEAR = 2021  # the tables are assembled in the 2021 format (registers.stats)
MAX_SECTION_CHARS = 20_000
MAX_OPINION_CHARS = 1_000
CORRECTION_PREFIX = "更正说明："  # publishing.publish_approved puts it before the note
VIEW_ROLES = frozenset({Role.OFFICE, Role.OFFICE_HEAD, Role.LEADER})
ACTION_ROLES = {
    "start": (Role.OFFICE, "起草年度报告"),
    "edit": (Role.OFFICE, "修改年度报告正文"),
    "submit": (Role.OFFICE, "提交年度报告审核"),
    "review": (Role.OFFICE_HEAD, "审核年度报告"),
    "approve": (Role.LEADER, "审批年度报告"),
    "publish": (Role.OFFICE, "发布年度报告"),
    "correct": (Role.OFFICE, "更正已发布的年度报告"),
}


class AnnualError(Exception):
    """A step that may not be taken; the message tells the user why (Chinese)."""


def roles_of(user, agency):
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, agency=agency, role__in=VIEW_ROLES).values_list(
            "role", flat=True
        )
    )


def may(user, agency, action):
    role, _label = ACTION_ROLES[action]
    return role in roles_of(user, agency)


def _require(user, agency, action):
    role, label = ACTION_ROLES[action]
    if role not in roles_of(user, agency):
        raise AnnualError(missing_role(label, {role}))


def _locked_row(annual):
    return AnnualReport.objects.select_for_update().select_related("agency").get(pk=annual.pk)


def _require_status(annual, status, doing):
    if annual.status != status:
        raise AnnualError(
            f"这份年度报告当前处于“{annual.get_status_display()}”环节，不能{doing}"
            f"（只有“{Status(status).label}”环节可以）。"
        )


def _opinion(annual, by, step, decision="", text=""):
    Opinion.objects.create(report=annual, actor=by, step=step, decision=decision, text=text)
    audit.info(
        "annual report %s: agency=%s year=%s decision=%s by=%s",
        step,
        annual.agency.code,
        annual.year,
        decision or "-",
        by.pk,
    )


def _clean_text(text, limit, what):
    text = str(text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise AnnualError(f"{what}含有无法保存的控制字符，请删除后再试。")
    if len(text) > limit:
        raise AnnualError(f"{what}最多 {limit} 个字，现有 {len(text)} 个字，请精简。")
    return text


# ---- start ---------------------------------------------------------------------------


def check_year(year, today):
    """The Chinese reason a report for `year` cannot be drafted on `today`, or None."""
    if year > today.year:
        return (
            f"不能起草{year}年度的年度报告：该年度还没有开始（今天是{today:%Y年%-m月%-d日}）。"
            "年度报告总结的是本年度或已经结束的年度。"
        )
    if year < FIRST_YEAR:
        return (
            f"不能在系统中起草{year}年度的年度报告：系统按2021年格式从记录生成表格，"
            f"适用于{FIRST_YEAR}年度及以后。更早的报告请在门户“年度报告”栏目上传存档。"
        )
    return None


@transaction.atomic
def start(agency, year, *, by, today):
    """Draft the report of `year` from the records; returns the AnnualReport."""
    _require(by, agency, "start")
    reason = check_year(year, today)
    if reason:
        raise AnnualError(reason)
    existing = AnnualReport.objects.filter(agency=agency, year=year).first()
    if existing is not None:
        if existing.locked:
            raise AnnualError(
                f"{agency.name}{year}年度的年度报告已经批准并锁定（{existing.get_status_display()}），"
                "不能再起草一份。如需更正，请在已发布的报告上发布更正版本。"
            )
        raise AnnualError(f"{agency.name}{year}年度的年度报告已经在起草中，请打开继续编辑。")
    try:
        gathered = figures.gather(agency, year)
    except assembly.StatsError as error:
        raise AnnualError(str(error)) from error
    problems = assembly.last_problems(agency, year)
    sections = drafting.draft(
        gathered, agency_name=agency.name, year=year, last_year_problems=problems
    )
    try:
        with transaction.atomic():
            annual = AnnualReport.objects.create(
                agency=agency,
                year=year,
                sections={k: list(sections.get(k) or []) for k in SECTIONS},
                last_problems=problems,
                created_by=by,
            )
    except IntegrityError as error:  # started at the same moment by someone else
        raise AnnualError(
            f"{agency.name}{year}年度的年度报告刚刚已由他人起草，请刷新页面。"
        ) from error
    _opinion(annual, by, Step.DRAFT, text="由系统根据本机关记录起草")
    return annual


# ---- edit ----------------------------------------------------------------------------


@transaction.atomic
def edit(annual, *, texts, explanations=None, by):
    """Save the edited text. texts: {section: [sentence text, ...]} in the order shown:
    sentence i keeps the figures it was drafted with, a sentence beyond the drafted ones
    has none, an emptied sentence is removed. explanations: {finding key: text}."""
    annual = _locked_row(annual)
    _require(by, annual.agency, "edit")
    _require_status(annual, Status.DRAFT, "修改正文")
    sections = {}
    for key in SECTIONS:
        old = list((annual.sections or {}).get(key) or [])
        given = texts.get(key)
        if given is None:
            sections[key] = old
            continue
        kept = []
        last_para = max((s.get("para", 0) for s in old), default=-1)
        for i, text in enumerate(given):
            text = _clean_text(text, MAX_SECTION_CHARS, f"“{SECTION_TITLES[key]}”的一句")
            if not text:
                continue
            if i < len(old):  # the drafted sentence: its figures and paragraph stay
                kept.append({**old[i], "text": text})
            else:  # an added sentence: a paragraph of its own, no figures
                last_para += 1
                kept.append({"text": text, "figures": {}, "para": last_para})
        total = sum(len(s["text"]) for s in kept)
        if total > MAX_SECTION_CHARS:
            raise AnnualError(
                f"“{SECTION_TITLES[key]}”最多 {MAX_SECTION_CHARS} 个字，现有 {total} 个字，请精简。"
            )
        sections[key] = kept
    annual.sections = sections
    if explanations is not None:
        annual.explanations = {
            k: _clean_text(v, MAX_OPINION_CHARS, "警告的说明")
            for k, v in explanations.items()
            if str(v or "").strip()
        }
    annual.save(update_fields=["sections", "explanations", "updated_at"])
    _opinion(annual, by, Step.EDIT)
    return annual


# ---- submit, review, approve -------------------------------------------------------


def _gate(annual):
    """The assembled report, or AnnualError naming what blocks it."""
    try:
        report = assembly.assemble(annual)
    except assembly.StatsError as error:
        raise AnnualError(str(error)) from error
    errors, unexplained = assembly.blocking(report, annual.explanations or {})
    if errors:
        listed = "；".join(f["message"] for f in errors[:5])
        raise AnnualError(f"核对发现 {len(errors)} 个错误，改正后才能提交：{listed}")
    if unexplained:
        listed = "；".join(f["message"] for f in unexplained[:5])
        raise AnnualError(
            f"还有 {len(unexplained)} 个警告没有填写说明（说明随报告一起报送）：{listed}"
        )
    return report


@transaction.atomic
def submit(annual, *, by, today, text=""):
    annual = _locked_row(annual)
    _require(by, annual.agency, "submit")
    _require_status(annual, Status.DRAFT, "提交审核")
    if annual.year >= today.year:
        raise AnnualError(
            f"{annual.year}年度还没有结束，年度报告要到{annual.year + 1}年1月1日以后"
            "才能提交审核（表格统计到12月31日）。"
        )
    _gate(annual)
    annual.status = Status.REVIEW
    annual.save(update_fields=["status", "updated_at"])
    _opinion(annual, by, Step.SUBMIT, text=_clean_text(text, MAX_OPINION_CHARS, "意见"))
    return annual


def _decide(annual, by, decision, text, step):
    if decision not in Decision.values:
        raise AnnualError("请选择“同意”或“退回”。")
    text = _clean_text(text, MAX_OPINION_CHARS, "意见")
    if decision == Decision.RETURN and not text:
        raise AnnualError("退回时必须填写退回理由，起草人据此修改。")
    return text


@transaction.atomic
def review(annual, *, by, decision, text=""):
    """工作机构负责人's 审核: 同意 → 审批, 退回 → 起草."""
    annual = _locked_row(annual)
    _require(by, annual.agency, "review")
    _require_status(annual, Status.REVIEW, "审核")
    text = _decide(annual, by, decision, text, Step.REVIEW)
    annual.status = Status.APPROVAL if decision == Decision.AGREE else Status.DRAFT
    annual.save(update_fields=["status", "updated_at"])
    _opinion(annual, by, Step.REVIEW, decision, text)
    return annual


@transaction.atomic
def approve(annual, *, by, decision, text="", at=None):
    """分管领导's 审批: 同意 locks the report (frozen snapshot); 退回 → 起草."""
    annual = _locked_row(annual)
    _require(by, annual.agency, "approve")
    _require_status(annual, Status.APPROVAL, "审批")
    text = _decide(annual, by, decision, text, Step.APPROVE)
    if decision == Decision.AGREE:
        report = _gate(annual)  # the records may have changed since submission
        annual.snapshot = report
        annual.approved_at = at or timezone.now()
        annual.status = Status.APPROVED
    else:
        annual.status = Status.DRAFT
    annual.save(update_fields=["status", "snapshot", "approved_at", "updated_at"])
    _opinion(annual, by, Step.APPROVE, decision, text)
    return annual


# ---- publish -------------------------------------------------------------------------


@transaction.atomic
def publish(annual, *, by, at=None):
    """Put the approved snapshot on the portal, dated now (Art. 49); returns the
    PublishedReport."""
    annual = _locked_row(annual)
    _require(by, annual.agency, "publish")
    _require_status(annual, Status.APPROVED, "发布")
    try:
        row = publishing.publish_approved(
            annual.agency, annual.snapshot, by=by, at=at, note=annual.correction_note
        )
    except publishing.PortalError as error:
        raise AnnualError(str(error)) from error
    annual.status = Status.PUBLISHED
    annual.published = row
    annual.save(update_fields=["status", "published", "updated_at"])
    _opinion(
        annual,
        by,
        Step.PUBLISH,
        text=f"发布于{timezone.localtime(at or timezone.now()):%Y-%m-%d %H:%M}",
    )
    return row


@transaction.atomic
def correct(annual, *, by, note):
    """Reopen a published report for correction (更正): 起草 again with the 更正说明."""
    annual = _locked_row(annual)
    _require(by, annual.agency, "correct")
    _require_status(annual, Status.PUBLISHED, "更正")
    note = _clean_text(note, publishing.MAX_NOTE - len(CORRECTION_PREFIX), "更正说明")
    if not note:
        raise AnnualError("请填写更正说明：公众将在更正版本中看到更正了什么、为什么更正。")
    annual.status = Status.DRAFT
    annual.correction_note = note
    annual.save(update_fields=["status", "correction_note", "updated_at"])
    _opinion(annual, by, Step.CORRECT, text=note)
    return annual
