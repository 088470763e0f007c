"""Every step of a 主动公开 item: one explicit, atomic, audited function each.

Like cases/workflow.py: each step locks the item row (select_for_update), checks the
item's status against TRANSITIONS and the actor's role against ROLES (through
Membership.acting_on: a 承办部门 user reaches only items of its own department, every
other role the whole agency), saves only the fields it changes and writes one
ItemEvent. An illegal step raises WorkflowError with a Chinese message and changes
nothing. The moment of the step is passed in (`now=`, an aware datetime); the caller
decides what "now" is. A step returns the fresh, locked copy of the item.

The path of an item:
    拟稿 create/edit (信息员, 政务公开办, 本部门承办人员) → 提交 submit →
    初审 first_review (政务公开办) → 保密审查 five gates (保密审查人员; Art. 17) →
    领导审批 approve (分管领导 or 工作机构负责人) → 发布 publish, now or at a set time
    (政务公开办) → 更正 correct / 撤回 withdraw (政务公开办). Until its time has come a
    scheduled item may be rescheduled (reschedule) or go back to 待发布 (unschedule).
Any reviewer may return the item to 草稿 with comments; a failed gate of the 保密审查
returns it at once. A resubmitted item starts a new review round.

Corrections (更正), the decision asked for by issue 5 ("一事一审"): a published item
may be corrected directly by the 政务公开办, with a reason, for its header fields and
for small changes of its body (typos, a wrong date or phone number). The previous
version is kept as an ItemRevision. A body change that alters more than
BODY_CORRECTION_LIMIT of the visible text is refused: that is new content, to be
drafted as a new item and reviewed again. The 公开属性 cannot be corrected; an item
that should not be public is withdrawn (撤回).

三同步: a 政策解读 (`interprets` set) is published together with its policy document:
publishing the document publishes its approved interpretations at the same moment;
an interpretation alone may be published only once its document is published, never
earlier than it. Withdrawing a document withdraws its published interpretations.

Art. 26: a 主动公开 item must be published within 20 working days of its 成文日期
(形成或者变更之日). The due date is computed by the statutory clock
(workdays.periods.publication_due) on the agency's calendar
(loading.get_calendar(agency.code): national schedule plus the agency's local days,
provisional for unpublished years and flagged), with the same counting convention as
casework (loading.count_receipt_day()), and stored on the item whenever 成文日期 or
the 公开属性 changes.
"""

import datetime as dt
import difflib

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from gongkai.agencies.models import (
    PUBLISHING_ROLES,
    Agency,
    Department,
    Membership,
    Role,
    missing_role,
)
from gongkai.publications import sanitize
from gongkai.publications.models import (
    ChannelPublication,
    DisclosureAttribute,
    DisclosureMode,
    Gate,
    Genre,
    Item,
    ItemAttachment,
    ItemEvent,
    ItemRevision,
    PublicationChannel,
    PublicationSettings,
    ReviewCheck,
    format_index_number,
)
from gongkai.publications.models import EventKind as K
from gongkai.publications.models import Status as S
from gongkai.workdays import loading, periods
from gongkai.workdays.calendar import ScheduleMissing


class WorkflowError(Exception):
    """A step that may not be taken; the message tells the user why (Chinese)."""


# step: (statuses it may start from, statuses it may lead to). None: no source (new item).
TRANSITIONS = {
    K.CREATE: (None, {S.DRAFT}),
    K.EDIT: ({S.DRAFT}, {S.DRAFT}),
    K.ATTACH: ({S.DRAFT}, {S.DRAFT}),
    K.DETACH: ({S.DRAFT}, {S.DRAFT}),
    K.SUBMIT: ({S.DRAFT}, {S.SUBMITTED}),
    K.FIRST_REVIEW: ({S.SUBMITTED}, {S.SECRECY_REVIEW, S.DRAFT}),
    K.SECRECY_CHECK: ({S.SECRECY_REVIEW}, {S.SECRECY_REVIEW}),
    K.SECRECY_REVIEW: ({S.SECRECY_REVIEW}, {S.APPROVAL, S.DRAFT}),
    K.APPROVE: ({S.APPROVAL}, {S.APPROVED, S.DRAFT}),
    K.PUBLISH: ({S.APPROVED}, {S.PUBLISHED}),
    K.RESCHEDULE: ({S.PUBLISHED}, {S.PUBLISHED}),  # only while scheduled: _begin_scheduled
    K.UNSCHEDULE: ({S.PUBLISHED}, {S.APPROVED}),
    K.CORRECT: ({S.PUBLISHED}, {S.PUBLISHED}),
    K.WITHDRAW: ({S.PUBLISHED}, {S.WITHDRAWN}),
    K.RECORD_CHANNEL: ({S.PUBLISHED}, {S.PUBLISHED}),
}

DRAFTERS = frozenset({Role.INFO_OFFICER, Role.OFFICE, Role.HANDLER})
ROLES = {
    K.CREATE: DRAFTERS,
    K.EDIT: DRAFTERS,
    K.ATTACH: DRAFTERS,
    K.DETACH: DRAFTERS,
    K.SUBMIT: DRAFTERS,
    K.FIRST_REVIEW: frozenset({Role.OFFICE}),  # 局信息员初审 (seed report 000)
    K.SECRECY_CHECK: frozenset({Role.SECRECY_REVIEWER}),  # Art. 17
    K.SECRECY_REVIEW: frozenset({Role.SECRECY_REVIEWER}),
    K.APPROVE: frozenset({Role.LEADER, Role.OFFICE_HEAD}),
    K.PUBLISH: frozenset({Role.OFFICE}),
    K.RESCHEDULE: frozenset({Role.OFFICE}),
    K.UNSCHEDULE: frozenset({Role.OFFICE}),
    K.CORRECT: frozenset({Role.OFFICE}),
    K.WITHDRAW: frozenset({Role.OFFICE}),
    K.RECORD_CHANNEL: frozenset({Role.OFFICE, Role.INFO_OFFICER}),
}

# Fields a drafter fills (create / edit); the rest is set by the workflow.
DRAFT_FIELDS = (
    "department",
    "title",
    "document_number",
    "disclosure_attribute",
    "attribute_reason",
    "written_on",
    "issuer",
    "genre",
    "topic",
    "category",
    "summary",
    "body",
    "interprets",
)
# Fields a correction of a published item may change (never the 公开属性 or the time).
CORRECTABLE_FIELDS = (
    "title",
    "document_number",
    "written_on",
    "issuer",
    "genre",
    "topic",
    "category",
    "summary",
    "body",
)
# A correction may change at most this share of the body's visible text (一事一审).
BODY_CORRECTION_LIMIT = 0.10
INTERPRETATION_GENRES = frozenset({Genre.INTERPRETATION, Genre.GRAPHIC})
# Set by the workflow or checked by it with a Chinese message (_check_department,
# _check_interprets), so full_clean need not look them up again.
_CLEAN_EXCLUDE = [
    "index_number",
    "index_year",
    "index_serial",
    "agency",
    "department",
    "interprets",
    "created_by",
]


# ---- helpers -------------------------------------------------------------------------


def _require_role(user, agency_id, department_id, step, roles):
    if not Membership.objects.holds(user, agency_id, department_id, roles):
        raise WorkflowError(missing_role(step.label, roles))


def roles_of(user, item):
    """The roles `user` holds that reach `item` (a handler: only its own department)."""
    return Membership.objects.roles_reaching(
        user, item.agency_id, item.department_id, roles=PUBLISHING_ROLES
    )


def _begin(item, step, user):
    """Lock the item row and check that `user` may take `step` from its current status."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    sources, _ = TRANSITIONS[step]
    if item.status not in sources:
        raise WorkflowError(
            f"信息 {item.index_number} 当前状态为“{item.get_status_display()}”，"
            f"不能进行“{step.label}”。"
        )
    _require_role(user, item.agency_id, item.department_id, step, ROLES[step])
    return item


def _jsonable(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _event(item, step, user, **data):
    data = {k: _jsonable(v) for k, v in data.items()}
    data.setdefault("status", item.status)
    return ItemEvent.objects.create(item=item, kind=step, actor=user, data=data)


def _finish(item, step, user, fields, status=None, **data):
    """Move to `status` (checked against TRANSITIONS), save `fields`, audit."""
    if status is not None:
        if status not in TRANSITIONS[step][1]:
            raise AssertionError(f"{step} cannot lead to {status}")
        item.status = status
        fields = [*fields, "status"]
    if fields:
        item.save(update_fields=sorted(set(fields)))
    _event(item, step, user, **data)
    return item


def _required(value, what):
    text = sanitize.plain(value)
    if not text:
        raise WorkflowError(f"请填写{what}。")
    return text


def _aware(now, what="时间"):
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise WorkflowError(f"{what}必须是带时区的日期时间。")
    return now


def _validation_message(error, prefix="信息有误："):
    parts = []
    for name, messages in error.message_dict.items():
        try:
            label = Item._meta.get_field(name).verbose_name if name != "__all__" else ""
        except LookupError:
            label = name
        text = "；".join(str(m) for m in messages)
        parts.append(f"{label}：{text}" if label else text)
    return prefix + "；".join(parts)


# ---- Art. 26: publication due date ---------------------------------------------------


def publication_due(agency, written_on):
    """(due date, provisional) of Art. 26 for an item written on `written_on`.

    Day 1 is the first working day after 成文日期 unless GONGKAI_COUNT_RECEIPT_DAY
    counts the day itself, exactly as the reply clock of casework counts.
    """
    try:
        cal = loading.get_calendar(agency.code).provisional(written_on.year + 1)
        due = periods.publication_due(
            cal, written_on, count_receipt_day=loading.count_receipt_day()
        )
    except (ScheduleMissing, LookupError, ValueError) as error:
        raise WorkflowError(str(error).strip("'\"")) from error
    provisional = cal.is_provisional_span(written_on.toordinal(), due.toordinal())
    return due, provisional


def _refresh_due(item, agency):
    """Store the Art. 26 due date; only 主动公开 items have one."""
    if item.disclosure_attribute == DisclosureAttribute.PROACTIVE and item.written_on:
        item.publication_due_on, item.due_provisional = publication_due(agency, item.written_on)
    else:
        item.publication_due_on, item.due_provisional = None, False


def _derive_mode(item):
    """公开方式 follows the 公开属性: 主动公开 items are published; the others are kept as
    records of the source determination and shown as 依申请公开 if ever listed."""
    item.disclosure_mode = (
        DisclosureMode.PROACTIVE
        if item.disclosure_attribute == DisclosureAttribute.PROACTIVE
        else DisclosureMode.ON_REQUEST
    )


# ---- drafting ------------------------------------------------------------------------


def _check_fields(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _check_department(item, user, department):
    if department is None:
        return None
    if not isinstance(department, Department):
        department = Department.objects.filter(pk=department).first()
        if department is None:
            raise WorkflowError("所选起草部门不存在，请重新选择。")
    if department.agency_id != item.agency_id:
        raise WorkflowError(f"“{department.name}”不是本机关的部门。")
    return department


def _check_interprets(item):
    """The 解读 link: same agency, an interpretation genre, a document that is itself no
    interpretation and not withdrawn (三同步)."""
    if item.interprets_id is None:
        return
    target = Item.objects.filter(pk=item.interprets_id).first()  # fresh, not the caller's copy
    if target is None:
        raise WorkflowError("所选的被解读文件不存在。")
    if item.pk is not None and target.pk == item.pk:
        raise WorkflowError("解读不能指向自身。")
    if target.agency_id != item.agency_id:
        raise WorkflowError("只能解读本机关发布的文件。")
    if target.interprets_id is not None:
        raise WorkflowError(f"“{target.title}”本身是解读，不能再被解读；请选择所解读的政策文件。")
    if target.status == S.WITHDRAWN:
        raise WorkflowError(f"“{target.title}”已撤回，不能再为它发布解读。")
    if item.genre not in INTERPRETATION_GENRES:
        raise WorkflowError("关联了所解读文件的信息，体裁分类应为“解读”或“图解”。")


def _validate(item, agency):
    """full_clean, the source-determination rule, and the 解读 link; then Art. 26."""
    if not sanitize.plain(item.issuer):
        item.issuer = agency.name  # 发文机关 defaults to the agency itself
    if item.disclosure_attribute == DisclosureAttribute.NOT_DISCLOSED and not sanitize.plain(
        item.attribute_reason
    ):
        raise WorkflowError("认定为不予公开的，请填写不予公开的理由和依据（如涉及国家秘密）。")
    try:
        # constraints are enforced by the database and checked above in Chinese
        item.full_clean(
            exclude=_CLEAN_EXCLUDE,
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise WorkflowError(_validation_message(error)) from error
    if not sanitize.plain(item.title):
        raise WorkflowError("请填写标题。")
    _check_interprets(item)
    _derive_mode(item)
    _refresh_due(item, agency)


def _next_serial(agency, year):
    """The next 索引号 serial of the agency's year (the caller holds the agency row lock)."""
    top = Item.objects.filter(agency=agency, index_year=year).aggregate(n=Max("index_serial"))
    return (top["n"] or 0) + 1


@transaction.atomic
def create(agency, *, by, now, **fields):
    """拟稿: a new draft with its 索引号 "<前缀>/<成文年份>-<序号>" (never changes after)."""
    _aware(now)
    _check_fields(fields, DRAFT_FIELDS)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)  # serialises numbering
    item = Item(agency=agency, created_by=by, **fields)
    item.department = _check_department(item, by, fields.get("department"))
    _require_role(by, agency.pk, item.department_id, K.CREATE, ROLES[K.CREATE])
    if not isinstance(item.written_on, dt.date):
        raise WorkflowError("请填写成文日期，格式如 2026-03-01。")
    _validate(item, agency)
    year = item.written_on.year
    item.index_year, item.index_serial = year, _next_serial(agency, year)
    item.index_number = format_index_number(
        PublicationSettings.prefix_for(agency), year, item.index_serial
    )
    if Item.objects.filter(index_number=item.index_number).exists():
        raise WorkflowError(
            f"索引号 {item.index_number} 已被占用（可能与其他机关的索引号前缀相同），"
            "请管理员检查本机关的索引号前缀设置。"
        )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        raise WorkflowError(
            "保存失败：索引号与已有信息冲突（可能有人同时拟稿），请重新保存。"
        ) from error
    _event(
        item,
        K.CREATE,
        by,
        at=now,
        index_number=item.index_number,
        publication_due_on=item.publication_due_on,
    )
    return item


@transaction.atomic
def edit(item, *, by, now, **fields):
    """修改草稿: change the drafter's fields; the Art. 26 due date follows 成文日期."""
    _aware(now)
    _check_fields(fields, DRAFT_FIELDS)
    item = _begin(item, K.EDIT, by)
    if "department" in fields:
        department = _check_department(item, by, fields["department"])
        if (department.pk if department else None) != item.department_id:
            # moving an item to another department needs the right to draft there too
            _require_role(by, item.agency_id, getattr(department, "pk", None), K.EDIT, DRAFTERS)
        fields["department"] = department
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name, value in fields.items():
        setattr(item, name, value)
    _validate(item, item.agency)
    saved = [*(changed or []), "disclosure_mode", "publication_due_on", "due_provisional"]
    return _finish(item, K.EDIT, by, saved, at=now, changed=[_field_name(n) for n in changed])


def _field_name(name):
    return name[:-3] if name.endswith("_id") else name


def attach(item, *, by, now, file, position=None):
    """添加附件 to a draft: the file is checked by gongkai.attachments.uploads
    (real content vs. extension, size, a safe display name) and written by
    gongkai.attachments.storage under a random name; if the database write fails
    the stored file is removed again. Returns the ItemAttachment."""
    from gongkai.attachments import storage, uploads

    _aware(now)
    try:
        info = uploads.validate_upload(file)
    except uploads.UploadRejected as error:
        raise WorkflowError(str(error)) from error
    relative = None
    try:
        with transaction.atomic():
            item = _begin(item, K.ATTACH, by)
            relative = storage.store(file, info, subdir=f"publications/{now.year}")
            if position is None:
                position = item.attachments.count()
            row = ItemAttachment.objects.create(
                item=item,
                file=relative,
                name=info.safe_name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                position=position,
                uploaded_by=by,
            )
            _finish(
                item,
                K.ATTACH,
                by,
                [],
                at=now,
                attachment=row.pk,
                name=row.name,
                size=row.size,
                sha256=row.sha256,
            )
    except BaseException:
        if relative is not None:
            storage.discard(relative)
        raise
    return row


@transaction.atomic
def detach(attachment, *, by, now):
    """删除附件 of a draft (the event keeps its name, size and digest); the stored file
    is removed once the transaction has committed."""
    from gongkai.attachments import storage

    _aware(now)
    item = _begin(attachment.item, K.DETACH, by)
    row = ItemAttachment.objects.select_for_update().filter(pk=attachment.pk, item=item).first()
    if row is None:
        raise WorkflowError("该附件已被删除。")
    name, size, digest, path = row.name, row.size, row.sha256, row.file.name
    row.delete()
    transaction.on_commit(lambda: storage.discard(path))
    return _finish(item, K.DETACH, by, [], at=now, name=name, size=size, sha256=digest)


# ---- review --------------------------------------------------------------------------


@transaction.atomic
def submit(item, *, by, now):
    """提交审核: a 主动公开 draft goes to 初审; a new review round begins."""
    _aware(now)
    item = _begin(item, K.SUBMIT, by)
    if item.disclosure_attribute != DisclosureAttribute.PROACTIVE:
        raise WorkflowError(
            f"本信息的公开属性认定为“{item.get_disclosure_attribute_display()}”，"
            "不进入主动公开发布流程；如需主动公开，请先将公开属性改为“主动公开”。"
        )
    if not sanitize.text_of(item.body) and not item.attachments.exists():
        raise WorkflowError("正文为空且没有附件，请填写正文或添加附件后再提交。")
    item.review_round += 1
    return _finish(
        item, K.SUBMIT, by, ["review_round"], S.SUBMITTED, at=now, round=item.review_round
    )


@transaction.atomic
def first_review(item, *, by, now, passed, comment=""):
    """初审 by the 政务公开办: pass on to 保密审查, or return to the drafter with comments."""
    _aware(now)
    item = _begin(item, K.FIRST_REVIEW, by)
    if passed:
        status = S.SECRECY_REVIEW
        comment = sanitize.plain(comment)
    else:
        comment = _required(comment, "退回意见")
        status = S.DRAFT
    return _finish(item, K.FIRST_REVIEW, by, [], status, at=now, passed=passed, comment=comment)


def _record_gate(item, by, now, gate, passed, comment, known_new=False):
    if gate not in Gate.values:
        raise WorkflowError("审查项只能是政治关、法律关、政策关、保密关或文字关。")
    label = Gate(gate).label
    comment = sanitize.plain(comment)
    if not passed and not comment:
        raise WorkflowError(f"{label}不通过时，请填写审查意见，说明需要修改的内容。")
    if (
        not known_new
        and ReviewCheck.objects.filter(item=item, round=item.review_round, gate=gate).exists()
    ):
        raise WorkflowError(f"本轮保密审查已记录过{label}，不能重复记录。")
    row = ReviewCheck.objects.create(
        item=item, round=item.review_round, gate=gate, passed=bool(passed), comment=comment, by=by
    )
    _event(item, K.SECRECY_CHECK, by, at=now, gate=gate, passed=row.passed, comment=comment)
    return row


def _conclude_secrecy(item, by, now):
    """After a gate: a failure returns the item to draft; five passes send it on."""
    rows = list(ReviewCheck.objects.filter(item=item, round=item.review_round))
    failed = [r for r in rows if not r.passed]
    if failed:
        comments = "；".join(f"{r.get_gate_display()}：{r.comment}" for r in failed)
        return _finish(
            item, K.SECRECY_REVIEW, by, [], S.DRAFT, at=now, passed=False, comment=comments
        )
    if {r.gate for r in rows} == set(Gate.values):
        return _finish(item, K.SECRECY_REVIEW, by, [], S.APPROVAL, at=now, passed=True)
    return item


@transaction.atomic
def record_check(item, *, by, now, gate, passed, comment=""):
    """One gate of the 保密审查 (Art. 17). A failed gate returns the item to 草稿 with
    the comment at once; when all five have passed the item goes to 领导审批."""
    _aware(now)
    item = _begin(item, K.SECRECY_CHECK, by)
    _record_gate(item, by, now, gate, passed, comment)
    return _conclude_secrecy(item, by, now)


@transaction.atomic
def secrecy_review(item, *, by, now, results):
    """The five gates at once: `results` = {gate: (passed, comment)}, each still recorded
    as its own ReviewCheck row, in the fixed order of Gate. Gates already recorded in
    this round are skipped; all five must be decided in the end."""
    _aware(now)
    item = _begin(item, K.SECRECY_CHECK, by)
    unknown = set(results) - set(Gate.values)
    if unknown:
        raise WorkflowError("审查项只能是政治关、法律关、政策关、保密关或文字关。")
    done = set(
        ReviewCheck.objects.filter(item=item, round=item.review_round).values_list(
            "gate", flat=True
        )
    )
    missing = [Gate(g).label for g in Gate.values if g not in done and g not in results]
    if missing:
        raise WorkflowError(f"请对{'、'.join(missing)}逐项作出审查结论。")
    for gate in Gate.values:
        if gate in results and gate not in done:
            passed, comment = results[gate]
            _record_gate(item, by, now, gate, passed, comment, known_new=True)
    return _conclude_secrecy(item, by, now)


@transaction.atomic
def approve(item, *, by, now, approved=True, comment=""):
    """领导审批 by the 分管领导 or the 工作机构负责人: approve for publication, or return."""
    _aware(now)
    item = _begin(item, K.APPROVE, by)
    if approved:
        status, comment = S.APPROVED, sanitize.plain(comment)
    else:
        status, comment = S.DRAFT, _required(comment, "退回意见")
    return _finish(item, K.APPROVE, by, [], status, at=now, approved=approved, comment=comment)


# ---- publication ---------------------------------------------------------------------


def _not_before_written(item, at):
    """A publication time on or after 成文日期, both as local (Beijing) days."""
    if timezone.localdate(at) < item.written_on:
        raise WorkflowError(
            f"发布时间（{timezone.localdate(at)}）不能早于成文日期（{item.written_on}）。"
        )


def _publish_one(item, by, now, at, together_with=None):
    if item.disclosure_attribute != DisclosureAttribute.PROACTIVE:
        raise WorkflowError("只有认定为主动公开的信息才能发布。")
    _not_before_written(item, at)
    item.published_at = at
    on_time = item.published_on_time() is not False
    item = _finish(
        item,
        K.PUBLISH,
        by,
        ["published_at"],
        S.PUBLISHED,
        at=now,
        published_at=at,
        scheduled=at > now,
        on_time=on_time,
        publication_due_on=item.publication_due_on,
        together_with=together_with,
    )
    # A published 行政规范性文件 is entered in the register behind table 二 (Art. 20(一)),
    # in the same transaction: the portal and the annual report never disagree.
    from gongkai.registers.documents import enter_published_item  # registers builds on us

    enter_published_item(item, by=by)
    return item


@transaction.atomic
def publish(item, *, by, now, at=None):
    """发布, now (`at` None) or at a set time (定时发布: visible from `at` on).

    三同步: a policy document's approved interpretations are published with it at
    the same moment; an interpretation alone needs its document published first.
    """
    _aware(now)
    at = _aware(at, "发布时间") if at is not None else now
    item = _begin(item, K.PUBLISH, by)
    if item.interprets_id is not None:
        policy = Item.objects.select_for_update().get(pk=item.interprets_id)
        if policy.status != S.PUBLISHED:
            raise WorkflowError(
                f"所解读的文件“{policy.title}”尚未发布。解读应与文件同步发布：请发布文件，"
                "其已批准的解读将随之一并发布。"
            )
        if at < policy.published_at:
            raise WorkflowError(
                f"解读的发布时间不能早于所解读文件的发布时间（{policy.published_at:%Y-%m-%d %H:%M}）。"
            )
    item = _publish_one(item, by, now, at)
    partners = Item.objects.select_for_update().filter(interprets=item, status=S.APPROVED)
    for partner in partners:
        _require_role(by, partner.agency_id, partner.department_id, K.PUBLISH, ROLES[K.PUBLISH])
        _publish_one(partner, by, now, at, together_with=item.index_number)
    return item


def _local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _begin_scheduled(item, step, by, now, seen_at):
    """_begin, and the item must still be waiting for its publication time (定时发布).

    seen_at: the publication time the caller's page showed; if someone has changed it
    since, the step is refused rather than silently overriding their change.
    """
    item = _begin(item, step, by)
    if seen_at is not None and item.published_at != seen_at:
        raise WorkflowError(
            f"信息 {item.index_number} 的定时发布时间已被他人改为 {_local(item.published_at)}，"
            "请刷新页面，确认后再操作。"
        )
    if not item.is_scheduled(now):
        raise WorkflowError(
            f"信息 {item.index_number} 已于 {_local(item.published_at)} 发布，公众已经可以看到，"
            "不能再调整或取消定时发布；如需撤下，请撤回发布。"
        )
    return item


def _move(item, by, now, at, together_with=None):
    previous, item.published_at = item.published_at, at
    on_time = item.published_on_time() is not False
    return _finish(
        item,
        K.RESCHEDULE,
        by,
        ["published_at"],
        at=now,
        published_at=timezone.localtime(at),
        previous_at=timezone.localtime(previous),
        on_time=on_time,
        together_with=together_with,
    )


@transaction.atomic
def reschedule(item, *, by, now, at, seen_at=None):
    """调整定时发布: move a scheduled item (not yet visible) to another future time.

    三同步: interpretations scheduled together with the document move with it, and
    any scheduled to appear before its new time wait for it; an interpretation
    itself may not be moved before its document. See _begin_scheduled for seen_at.
    """
    _aware(now)
    at = _aware(at, "发布时间")
    item = _begin_scheduled(item, K.RESCHEDULE, by, now, seen_at)
    if at <= now:
        raise WorkflowError(
            "新的发布时间应晚于现在；要马上发布，请先取消定时发布，再选择“立即发布”。"
        )
    _not_before_written(item, at)
    if at == item.published_at:
        raise WorkflowError(f"新的发布时间与原定时间（{_local(at)}）相同，无需调整。")
    if item.interprets_id is not None:
        policy = Item.objects.select_for_update().get(pk=item.interprets_id)
        if at < policy.published_at:
            raise WorkflowError(
                f"解读的发布时间不能早于所解读文件的发布时间（{_local(policy.published_at)}）。"
            )
    previous = item.published_at
    item = _move(item, by, now, at)
    partners = Item.objects.select_for_update().filter(
        Q(published_at=previous) | Q(published_at__lt=at),
        interprets=item,
        status=S.PUBLISHED,
        published_at__gt=now,
    )
    for partner in partners:
        _require_role(
            by, partner.agency_id, partner.department_id, K.RESCHEDULE, ROLES[K.RESCHEDULE]
        )
        _move(partner, by, now, at, together_with=item.index_number)
    return item


def _unschedule_one(item, by, now, together_with=None):
    previous, item.published_at = item.published_at, None
    return _finish(
        item,
        K.UNSCHEDULE,
        by,
        ["published_at"],
        S.APPROVED,
        at=now,
        previous_at=timezone.localtime(previous),
        together_with=together_with,
    )


@transaction.atomic
def unschedule(item, *, by, now, seen_at=None):
    """取消定时发布: a scheduled item goes back to 待发布 (approved, no publication time),
    ready to be published now or at another time; the review stays valid. Its
    scheduled interpretations go back with it (三同步). See _begin_scheduled."""
    _aware(now)
    item = _begin_scheduled(item, K.UNSCHEDULE, by, now, seen_at)
    item = _unschedule_one(item, by, now)
    partners = Item.objects.select_for_update().filter(
        interprets=item, status=S.PUBLISHED, published_at__gt=now
    )
    for partner in partners:
        _require_role(
            by, partner.agency_id, partner.department_id, K.UNSCHEDULE, ROLES[K.UNSCHEDULE]
        )
        _unschedule_one(partner, by, now, together_with=item.index_number)
    return item


def _body_change(old, new):
    """Share of the visible text changed between two bodies (0 = same, 1 = all new)."""
    a, b = sanitize.text_of(old), sanitize.text_of(new)
    if a == b:
        return 0.0
    return 1.0 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _snapshot(item):
    meta = {}
    for name in CORRECTABLE_FIELDS:
        if name not in ("title", "body"):
            meta[name] = _jsonable(getattr(item, name))
    return meta


@transaction.atomic
def correct(item, *, by, now, reason, **changes):
    """更正 a published item: header fields and small body corrections, with a reason;
    the previous version is kept (ItemRevision). See the module docstring."""
    _aware(now)
    _check_fields(changes, CORRECTABLE_FIELDS)
    reason = _required(reason, "更正理由")
    item = _begin(item, K.CORRECT, by)
    if "body" in changes:
        changes["body"] = sanitize.clean_body(changes["body"])
        share = _body_change(item.body, changes["body"])
        if share > BODY_CORRECTION_LIMIT:
            raise WorkflowError(
                f"正文改动约占 {share:.0%}，超过更正允许的 {BODY_CORRECTION_LIMIT:.0%}。"
                "内容有实质变化的，应作为新信息拟稿并重新审核（一事一审），必要时撤回原信息。"
            )
    for name in ("title", "document_number", "issuer"):
        if name in changes:
            changes[name] = sanitize.plain(changes[name])
    changed = [name for name, value in changes.items() if getattr(item, name) != value]
    if not changed:
        raise WorkflowError("没有需要更正的内容：填写的内容与已发布的版本相同。")
    revision = ItemRevision(
        item=item,
        version=item.version,
        title=item.title,
        body=item.body,
        metadata=_snapshot(item),
        reason=reason,
        changed_fields=changed,
        by=by,
    )
    for name in changed:
        setattr(item, name, changes[name])
    try:
        item.full_clean(
            exclude=_CLEAN_EXCLUDE,
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise WorkflowError(_validation_message(error, "更正内容有误：")) from error
    if "written_on" in changed:
        if item.published_at and item.written_on > timezone.localdate(item.published_at):
            raise WorkflowError("成文日期不能晚于发布日期。")
        _refresh_due(item, item.agency)
    revision.save()
    item.version += 1
    item.revised_at = now
    fields = [*changed, "version", "revised_at", "publication_due_on", "due_provisional"]
    return _finish(
        item, K.CORRECT, by, fields, at=now, reason=reason, changed=changed, version=item.version
    )


@transaction.atomic
def withdraw(item, *, by, now, reason):
    """撤回发布: hidden from the public at once; the item and its history stay. Its
    published interpretations are withdrawn with it (三同步)."""
    _aware(now)
    reason = _required(reason, "撤回理由")
    item = _begin(item, K.WITHDRAW, by)
    item = _withdraw_one(item, by, now, reason)
    for partner in Item.objects.select_for_update().filter(interprets=item, status=S.PUBLISHED):
        _withdraw_one(partner, by, now, f"随所解读的文件{item.index_number}一并撤回：{reason}")
    return item


def _withdraw_one(item, by, now, reason):
    item.withdrawn_at, item.withdrawn_reason = now, reason
    fields = ["withdrawn_at", "withdrawn_reason"]
    return _finish(item, K.WITHDRAW, by, fields, S.WITHDRAWN, at=now, reason=reason)


_URL = URLValidator(schemes=["http", "https"])


@transaction.atomic
def record_channel(item, *, by, now, channel, published_on, url="", note=""):
    """登记其他渠道发布 (Art. 23: 政务新媒体、政府公报、新闻发布会…)."""
    _aware(now)
    item = _begin(item, K.RECORD_CHANNEL, by)
    if channel not in PublicationChannel.values:
        raise WorkflowError(
            "请选择发布渠道：微信公众号、微博、今日头条、抖音、政府公报、新闻发布会或其他。"
        )
    if not isinstance(published_on, dt.date):
        raise WorkflowError("请填写在该渠道发布的日期，格式如 2026-03-01。")
    if published_on > timezone.localdate(now):  # "today" is Beijing's day, not UTC's
        raise WorkflowError(f"渠道发布日期（{published_on}）不能晚于今天。")
    url = (url or "").strip()
    if url:
        try:
            _URL(url)
        except ValidationError:
            raise WorkflowError("网址无效：请填写以 http:// 或 https:// 开头的完整网址。") from None
    note = sanitize.plain(note)
    if channel == PublicationChannel.OTHER and not note:
        raise WorkflowError("渠道为“其他”时，请在说明中写明具体渠道。")
    row = ChannelPublication.objects.create(
        item=item, channel=channel, published_on=published_on, url=url, note=note, recorded_by=by
    )
    return _finish(
        item,
        K.RECORD_CHANNEL,
        by,
        [],
        at=now,
        channel=channel,
        published_on=published_on,
        record=row.pk,
        url=url,
    )
