"""依申请公开 cases: the request, its consultations and its audit trail.

Models hold facts (dates, choices) and simple predicates; every state change is
a function in cases/workflow.py. Time-based states (overdue, due soon) are derived
from the stored dates, never stored.
"""

import hashlib
import hmac

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save

from gongkai.agencies.models import Agency, Department, Membership
from gongkai.audit import Event
from gongkai.cases import duplicates
from gongkai.personal_data import EncryptedTextField
from gongkai.reports import tables
from gongkai.workdays import clock, loading


class ApplicantType(models.TextChoices):
    """The applicant columns of table 三 (values are tables.APPLICANT_KEYS)."""

    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL = "commercial", "商业企业"
    RESEARCH = "research", "科研机构"
    SOCIAL_WELFARE = "social_welfare", "社会公益组织"
    LEGAL_SERVICE = "legal_service", "法律服务机构"
    OTHER_ORG = "other_org", "其他组织"


class Channel(models.TextChoices):
    """How the request arrived; decides which date is the receipt date (Art. 31)."""

    ONLINE = "online", "网络"
    LETTER = "letter", "平常信函"
    REGISTERED_MAIL = "registered_mail", "挂号信/EMS"
    FAX = "fax", "传真"
    IN_PERSON = "in_person", "当面"
    OTHER = "other", "其他"


class FormWanted(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    MAIL = "mail", "邮寄"
    PICKUP = "pickup", "自行领取"


class DefaultBusinessType(models.TextChoices):
    """The business types every installation starts with; BusinessType rows rename,
    retire or add to them (the administrator configures the list)."""

    PUBLIC_ORDER = "public_order", "治安"
    HOUSEHOLD = "household", "户政"
    TRAFFIC = "traffic", "交管"
    EXIT_ENTRY = "exit_entry", "出入境"
    CYBER = "cyber", "网安"
    CRIMINAL = "criminal", "刑侦"
    ECONOMIC_CRIME = "economic_crime", "经侦"
    NARCOTICS = "narcotics", "禁毒"
    FIRE = "fire", "消防"
    INSPECTION = "inspection", "督察"
    PETITION = "petition", "信访"
    OTHER = "other", "其他"


class BusinessType(models.Model):
    """An administrator's change to the business-type list (业务类别).

    A row with a default code renames or retires that default; a row with a new
    code adds a type. With no rows the list is DefaultBusinessType.
    """

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20)
    position = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    CACHE_KEY = "cases:business-types:v2"
    CACHE_SECONDS = 60

    class Meta:
        verbose_name = "业务类别"
        verbose_name_plural = "业务类别"
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @classmethod
    def _rows(cls):
        """The rows, from the cache: every registration and application form needs them.
        Saving or deleting a row clears the cache (signals below); a process with its own
        memory cache (no REDIS_URL) sees another process's change within CACHE_SECONDS.
        Within one request they are read once: an online application checks its type in
        the form and again in Case.clean, a round trip to the cache each."""
        rows = getattr(_request_rows, "rows", None)
        if rows is not None:
            return rows
        rows = cache.get(cls.CACHE_KEY)
        if rows is None:
            rows = list(cls.objects.values_list("code", "name", "position", "active"))
            cache.set(cls.CACHE_KEY, rows, cls.CACHE_SECONDS)
        if getattr(_request_rows, "active", False):
            _request_rows.rows = rows
        return rows  # [(code, name, position, active)]

    @classmethod
    def forget(cls, **_signal):
        _request_rows.rows = None
        cache.delete(cls.CACHE_KEY)
        # Again after the commit: a read inside the saving transaction may have cached it.
        transaction.on_commit(lambda: cache.delete(cls.CACHE_KEY))

    @classmethod
    def choices(cls, *, include=None):
        """[(code, name)] of the active types in order; `include` keeps a retired code
        (a case that already has it)."""
        rows = {
            code: (position, code, name, active) for code, name, position, active in cls._rows()
        }
        entries = [
            rows.pop(code, (i, code, name, True))
            for i, (code, name) in enumerate(DefaultBusinessType.choices)
        ]
        entries += rows.values()
        entries.sort()
        return [(code, name) for _, code, name, active in entries if active or code == include]

    @classmethod
    def names(cls):
        """{code: name} of every type, retired ones included (for displaying old cases)."""
        out = dict(DefaultBusinessType.choices)
        out.update((code, name) for code, name, _position, _active in cls._rows())
        return out


_request_rows = Local()  # the business-type rows read during the current request


def _begin_request(**_signal):
    _request_rows.active, _request_rows.rows = True, None


def _end_request(**_signal):
    _request_rows.active, _request_rows.rows = False, None


post_save.connect(BusinessType.forget, sender=BusinessType)
post_delete.connect(BusinessType.forget, sender=BusinessType)
request_started.connect(_begin_request, dispatch_uid="cases.business_types.begin")
request_finished.connect(_end_request, dispatch_uid="cases.business_types.end")


class Status(models.TextChoices):
    # Letters, online and fax requests count from the day both sides confirm
    # (Art. 31); until then the case waits for contact and no clock runs.
    AWAITING_CONFIRMATION = "awaiting_confirmation", "待确认"
    REGISTERED = "registered", "已登记"
    CORRECTION_REQUESTED = "correction_requested", "待补正"
    ASSIGNED = "assigned", "承办中"
    DRAFTED = "drafted", "待审查"
    REVIEWED = "reviewed", "待审批"
    APPROVED = "approved", "待答复"
    REPLIED = "replied", "已答复"
    DELIVERED = "delivered", "已送达"
    CLOSED = "closed", "已终结"
    ARCHIVED = "archived", "已归档"


# Open statuses in which the reply period does not run: no receipt date yet (Art. 31),
# or a 补正 asked for (the period starts again from the corrected request, Art. 30).
CLOCK_STOPPED_STATUSES = (Status.AWAITING_CONFIRMATION, Status.CORRECTION_REQUESTED)

OPEN_STATUSES = (
    Status.AWAITING_CONFIRMATION,
    Status.REGISTERED,
    Status.CORRECTION_REQUESTED,
    Status.ASSIGNED,
    Status.DRAFTED,
    Status.REVIEWED,
    Status.APPROVED,
)


def _row_label(key):
    """The printed row label with its group, e.g. 不予公开：1.属于国家秘密."""
    row = tables.TEMPLATE_2021.request_row(key)
    label = row.label.partition("）")[2] or row.label
    if len(row.groups) > 1:
        return f"{row.groups[1].partition('）')[2]}：{label}"
    return label


class Outcome(models.TextChoices):
    """The statistical outcome: exactly one result row of table 三 (2021 format)."""

    GRANTED = "granted", _row_label("granted")
    PARTIAL = "partial", _row_label("partial")
    DENIED_STATE_SECRET = "denied.state_secret", _row_label("denied.state_secret")
    DENIED_PROHIBITED_BY_LAW = "denied.prohibited_by_law", _row_label("denied.prohibited_by_law")
    DENIED_SECURITY_STABILITY = (
        "denied.security_stability",
        _row_label("denied.security_stability"),
    )
    DENIED_THIRD_PARTY = "denied.third_party", _row_label("denied.third_party")
    DENIED_INTERNAL_AFFAIRS = "denied.internal_affairs", _row_label("denied.internal_affairs")
    DENIED_PROCESS_INFO = "denied.process_info", _row_label("denied.process_info")
    DENIED_ENFORCEMENT_FILE = "denied.enforcement_file", _row_label("denied.enforcement_file")
    DENIED_QUERY_MATTER = "denied.query_matter", _row_label("denied.query_matter")
    UNAVAILABLE_NOT_HELD = "unavailable.not_held", _row_label("unavailable.not_held")
    UNAVAILABLE_NEEDS_CREATION = (
        "unavailable.needs_creation",
        _row_label("unavailable.needs_creation"),
    )
    UNAVAILABLE_UNCLEAR = "unavailable.unclear", _row_label("unavailable.unclear")
    NOT_PROCESSED_PETITION = "not_processed.petition", _row_label("not_processed.petition")
    NOT_PROCESSED_DUPLICATE = "not_processed.duplicate", _row_label("not_processed.duplicate")
    NOT_PROCESSED_PUBLICATION = (
        "not_processed.publication",
        _row_label("not_processed.publication"),
    )
    NOT_PROCESSED_MASS_REPEAT = (
        "not_processed.mass_repeat",
        _row_label("not_processed.mass_repeat"),
    )
    NOT_PROCESSED_CONFIRM_OR_REISSUE = (
        "not_processed.confirm_or_reissue",
        _row_label("not_processed.confirm_or_reissue"),
    )
    OTHER_NO_CORRECTION = "other.no_correction", _row_label("other.no_correction")
    OTHER_NO_FEE = "other.no_fee", _row_label("other.no_fee")
    OTHER_OTHER = "other.other", _row_label("other.other")

    @classmethod
    def is_denial(cls, value):
        """A 不予公开 outcome (any denied.* row), which the 分管领导 must approve."""
        return str(value).startswith("denied.")


class Proposal(models.TextChoices):
    """What the handling department has asked the 工作机构负责人 to approve (issue 14 part 5)."""

    CORRECTION = "correction", "申请告知补正"
    EXTENSION = "extension", "申请延期答复"


class DeliveryMethod(models.TextChoices):
    """送达 method; the date that counts differs (国办公开办函〔2016〕235号)."""

    DIRECT = "direct", "直接送达（签收之日）"
    MAIL = "mail", "邮寄送达（交邮之日）"
    ELECTRONIC = "electronic", "电子送达"
    ENTRUSTED = "entrusted", "委托送达（签收之日）"


def due_soon_window(agency_code, day):
    """(calendar, last day of the 逾期预警 / 三个工作日内到期 window) for an agency on
    `day`: the DUE_SOON_WORKDAYS-th working day after `day` on the agency's own
    calendar (national schedule plus its local days, provisional for unpublished
    years), the calendar its deadlines are counted on (Art. 33 第二款). The one
    calendar choice of both the case list and the daily notice. Raises LookupError
    (ScheduleMissing included) or ValueError when no calendar is loaded."""
    cal = loading.get_calendar(agency_code).provisional(day.year + 1)
    return cal, cal.nth_workday_after(day, clock.DUE_SOON_WORKDAYS)


def due_soon_windows(agencies, day):
    """{agency id: last day of the window} of `agencies`, leaving out those without a
    calendar (see due_soon_window)."""
    windows = {}
    for agency in agencies:
        try:
            windows[agency.pk] = due_soon_window(agency.code, day)[1]
        except (LookupError, ValueError):
            continue
    return windows


class ContactKeyField(models.CharField):
    """The applicant's first telephone number or e-mail address in applicant_contact,
    normalised (duplicates.contact_keys), kept in step on every save (bulk_create too):
    the same person is found whether the contact was typed by staff or by the applicant
    online (issue 14 part 6)."""

    def __init__(self, *args, key_kind="phone", **kwargs):
        self.key_kind = key_kind
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["key_kind"] = self.key_kind
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = duplicates.first_key(model_instance.applicant_contact, self.key_kind)
        setattr(model_instance, self.attname, value)
        return value


class CaseQuerySet(models.QuerySet):
    """Table-level facts of cases; the one home of "visible", "paused", "due soon" and
    "overdue" (the case list, the dashboard, supervision and the daily notice all ask
    here)."""

    def for_agency(self, agency):
        return self.filter(agency=agency)

    def visible_to(self, user, *, memberships=None):
        """The cases `user` reaches (Membership.objects.reach_q: a handler its own
        department's, another casework role its agency's; an 信息员 none)."""
        return self.filter(Membership.objects.reach_q(user, memberships=memberships))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    @staticmethod
    def conditions(day, windows=None):
        """{name: Q} of the time-based states on `day` — the one definition behind the
        methods below, also for Count(filter=…) (the deadline dashboard):

        paused: open, with a consultation sent by `day` and not yet answered: the clock
            stands still (Art. 33 第三款);
        running: open, received, not waiting for a 补正 (the period starts again when
            it arrives, Art. 30) and not paused — the reply period runs;
        overdue: running, and the due date lies before `day`;
        due_soon: running, due from `day` up to the agency's window end (`windows`:
            {agency id: last day}, from due_soon_windows).
        """
        waiting = Consultation.objects.filter(
            case=OuterRef("pk"), sent_on__lte=day, answered_on__isnull=True
        )
        is_open = Q(status__in=OPEN_STATUSES)
        paused = is_open & Q(Exists(waiting))
        running = (
            is_open
            & ~Q(status__in=CLOCK_STOPPED_STATUSES)
            & Q(due_on__isnull=False)
            & ~Q(Exists(waiting))
        )
        window = Q(pk__in=[])
        for agency_id, until in (windows or {}).items():
            window |= Q(agency_id=agency_id, due_on__lte=until)
        return {
            "paused": paused,
            "running": running,
            "overdue": running & Q(due_on__lt=day),
            "due_soon": running & Q(due_on__gte=day) & window,
        }

    def paused(self, day):
        return self.filter(self.conditions(day)["paused"])

    def clock_running(self, day):
        return self.filter(self.conditions(day)["running"])

    def overdue(self, today):
        return self.filter(self.conditions(today)["overdue"])

    def due_soon(self, day, windows):
        return self.filter(self.conditions(day, windows)["due_soon"])


class Case(models.Model):
    """One 政府信息公开申请 (依申请公开), from registration to archive.

    received_on: 收到申请之日 as Art. 31 fixes it for the channel; submitted_on,
        arrived_on (签收/到达) and confirmed_on (双方确认) are the facts behind it.
    corrected_on: 收到补正的申请之日; the reply clock restarts from it (Art. 30).
    due_on / original_due_on: the reply deadline (with and without the Art. 33
        extension) from gongkai.workdays.clock, recomputed by every workflow step.
    closed_on: the day the case was concluded for the annual report: the reply
        date, or the day a 补正 lapsed or the request was withdrawn.
    query_code_hash: HMAC of the 查询码 given to the applicant; the code itself is
        never stored.
    applicant_id_document: encrypted at rest (gongkai.personal_data); found by exact
        search through applicant_id_digest only.
    """

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name="承办部门", null=True, blank=True, on_delete=models.PROTECT
    )
    tracking_number = models.CharField("受理编号", max_length=40, unique=True)
    query_code_hash = models.CharField("查询码摘要", max_length=64, editable=False)

    applicant_type = models.CharField("申请人类型", max_length=20, choices=ApplicantType.choices)
    applicant_name = models.CharField("申请人名称", max_length=200)
    # Encrypted at rest; exact search through the keyed digest (issue 13, 等保 level 3).
    applicant_id_document = EncryptedTextField(
        "身份证明", blank=True, digest_field="applicant_id_digest"
    )
    applicant_id_digest = models.CharField(
        "身份证明检索摘要", max_length=64, blank=True, editable=False, db_index=True
    )
    applicant_contact = models.CharField("联系方式", max_length=200, blank=True)
    applicant_address = models.CharField("通信地址", max_length=300, blank=True)
    # Derived from applicant_contact for the 重复申请 check across channels.
    applicant_phone = ContactKeyField("联系电话（检索）", key_kind="phone", db_index=True)
    applicant_email = ContactKeyField("电子邮箱（检索）", key_kind="email", db_index=True)

    channel = models.CharField("申请渠道", max_length=20, choices=Channel.choices)
    submitted_on = models.DateField("提交日期")
    arrived_on = models.DateField("到达/签收日期", null=True, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    received_on = models.DateField("收到申请日期", null=True, blank=True)

    content = models.TextField("申请内容")
    form_wanted = models.CharField("获取方式", max_length=20, choices=FormWanted.choices)
    business_type = models.CharField("业务类别", max_length=20)  # a BusinessType code

    status = models.CharField(
        "状态", max_length=24, choices=Status.choices, default=Status.REGISTERED
    )
    # Drafted by draft_decision; counts in the report only once closed_on is set.
    outcome = models.CharField("办理结果", max_length=40, choices=Outcome.choices, blank=True)
    legal_basis = models.TextField("法律依据", blank=True)

    correction_requested_on = models.DateField("补正告知日期", null=True, blank=True)
    correction_items = models.TextField("补正事项", blank=True)
    correction_due_on = models.DateField("补正期限", null=True, blank=True)
    corrected_on = models.DateField("收到补正日期", null=True, blank=True)
    correction_reply = models.TextField("补正内容（网上提交）", blank=True)

    # A request of the handling department waiting for the 工作机构负责人 (part 5).
    proposal = models.CharField("待审批的请示", max_length=20, choices=Proposal.choices, blank=True)
    proposal_reason = models.TextField("请示理由", blank=True)
    proposal_items = models.TextField("拟补正事项", blank=True)

    due_on = models.DateField("答复期限", null=True, blank=True)
    original_due_on = models.DateField("原答复期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    extended_on = models.DateField("延期批准日期", null=True, blank=True)
    extension_reason = models.TextField("延期理由", blank=True)
    extension_notified_on = models.DateField("延期告知日期", null=True, blank=True)

    # 信息处理费 (Art. 42; 国办函〔2020〕109号): the notice, its payment deadline and payment.
    fee_amount = models.DecimalField(
        "收费金额（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_notified_on = models.DateField("收费通知日期", null=True, blank=True)
    fee_due_on = models.DateField("缴费期限", null=True, blank=True)
    fee_paid_on = models.DateField("缴费日期", null=True, blank=True)

    legal_review_passed = models.BooleanField("法制审查通过", default=False)
    secrecy_review_passed = models.BooleanField("保密审查通过", default=False)
    approved_on = models.DateField("批准日期", null=True, blank=True)

    replied_on = models.DateField("答复日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    delivery_method = models.CharField(
        "送达方式", max_length=20, choices=DeliveryMethod.choices, blank=True
    )
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    delivery_ems_number = models.CharField("EMS 邮件号", max_length=30, blank=True)
    delivery_signed_on = models.DateField("签收日期", null=True, blank=True)
    delivery_email = models.CharField("送达电子邮箱", max_length=254, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)
    # Set by workflow.reopen: a 复议决定/判决 ordered a new reply by this day.
    reopened_due_on = models.DateField("重新答复期限", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "依申请公开申请"
        verbose_name_plural = "依申请公开申请"
        ordering = ["-received_on", "-id"]
        indexes = [
            # The list's default order, per agency and per department (handlers).
            models.Index(fields=["agency", "received_on", "id"], name="cases_agency_received_id"),
            models.Index(fields=["department", "received_on", "id"], name="cases_dept_received_id"),
            # The list's filters, each with the default order (measured at 1,000,000 cases).
            # On PostgreSQL these five also carry the other filtered columns (INCLUDE,
            # migration 0012): the list's count and page ids come from the index alone.
            models.Index(
                fields=["agency", "status", "received_on", "id"], name="cases_agency_status_recv"
            ),
            models.Index(
                fields=["agency", "applicant_type", "received_on", "id"],
                name="cases_agency_applicant_recv",
            ),
            models.Index(
                fields=["agency", "business_type", "received_on", "id"],
                name="cases_agency_business_recv",
            ),
            models.Index(fields=["agency", "closed_on"], name="cases_agency_closed"),
            models.Index(fields=["agency", "status", "due_on"], name="cases_agency_status_due"),
            # A handler's in-tray: its department's cases in a status, by deadline.
            models.Index(fields=["department", "status", "due_on"], name="cases_dept_status_due"),
            # The 登记邮寄签收 in-tray queue (signature_pending_q): a few rows among a
            # million delivered ones, which the status index would all visit.
            models.Index(
                fields=["agency", "delivered_on", "id"],
                condition=Q(delivery_method=DeliveryMethod.MAIL, delivery_signed_on__isnull=True),
                name="cases_signature_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(outcome=""),
                name="cases_closed_has_outcome",
                violation_error_message="办结的申请必须有办理结果。",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
                name="cases_closed_after_received",
                violation_error_message="办结日期不能早于收到申请日期。",
            ),
            models.CheckConstraint(
                condition=Q(delivery_signed_on__isnull=True)
                | Q(delivery_signed_on__gte=models.F("delivered_on")),
                name="cases_signed_after_sent",
                violation_error_message="签收日期不能早于交邮（送达）日期。",
            ),
            models.CheckConstraint(
                condition=Q(corrected_on__isnull=True)
                | Q(corrected_on__gte=models.F("received_on")),
                name="cases_corrected_after_received",
                violation_error_message="收到补正日期不能早于收到申请日期。",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_number} {self.applicant_name}"

    def clean(self):
        super().clean()
        # A new case needs an active type; an existing one may keep a retired type.
        keep = None if self._state.adding else self.business_type
        known = dict(BusinessType.choices(include=keep))
        if self.business_type and self.business_type not in known:
            raise ValidationError(
                {"business_type": f"业务类别“{self.business_type}”不存在或已停用，请从列表中选择。"}
            )

    @property
    def business_type_label(self):
        return BusinessType.names().get(self.business_type, self.business_type)

    def check_query_code(self, code):
        """True when `code` is this case's 查询码."""
        return hmac.compare_digest(self.query_code_hash, hash_query_code(code))

    def is_open(self):
        return self.status in OPEN_STATUSES

    # ---- step preconditions beyond the status (workflow.TRANSITIONS decides that) ----
    # One definition each: the workflow functions refuse a step when its predicate is
    # false, and the case page offers the step only when it is true.

    def may_request_correction(self):
        """Art. 30: the 补正 notice is given once."""
        return self.correction_requested_on is None

    def may_submit_correction(self, day):
        """The applicant may submit the 补正 online: one is asked for and its period has
        not passed (Art. 30: 逾期不补正的，视为放弃申请)."""
        return self.status == Status.CORRECTION_REQUESTED and not self.correction_lapsed(day)

    def may_propose(self):
        """The handling department has no request waiting for the 工作机构负责人."""
        return not self.proposal

    def may_propose_correction(self):
        return self.may_propose() and self.may_request_correction()

    def may_propose_extension(self, day):
        return self.may_propose() and self.may_extend(day)

    def proposal_pending(self, kind):
        """The department's request `kind` (Proposal) waits for approval; the in-tray
        selects the same cases with proposal_q."""
        return self.proposal == kind

    @staticmethod
    def proposal_q(kind):
        return Q(proposal=kind)

    def may_record_signature(self):
        """Sent by post and the 签收 not yet recorded (the EMS return)."""
        return self.delivery_method == DeliveryMethod.MAIL and self.delivery_signed_on is None

    @staticmethod
    def signature_pending_q():
        return Q(delivery_method=DeliveryMethod.MAIL, delivery_signed_on__isnull=True)

    def correction_lapsed(self, day):
        """Art. 30: the 补正 deadline has passed on `day` (视为放弃申请)."""
        return self.correction_due_on is not None and self.correction_due_on < day

    def may_review(self, flag):
        """A review (`flag`: legal_review_passed / secrecy_review_passed) not yet passed."""
        return not getattr(self, flag)

    def may_extend(self, day):
        """Art. 33 第二款: extended once, approved on or before the original deadline."""
        return (
            self.extended_on is None
            and self.original_due_on is not None
            and day <= self.original_due_on
        )

    def may_notify_fee(self):
        """One 收费通知 per case."""
        return self.fee_notified_on is None

    def fee_unpaid(self):
        """A 收费通知 went out and no payment is recorded."""
        return self.fee_notified_on is not None and self.fee_paid_on is None

    def fee_lapsed(self, day):
        """The payment deadline passed on `day` without payment (其他处理 2)."""
        return self.fee_unpaid() and self.fee_due_on < day

    def clock_stopped(self):
        """No reply period runs: not received yet, or waiting for a 补正 (Arts. 30, 31).
        (A pause for consultation is a fact of the consultations: CaseQuerySet.paused.)"""
        return self.status in CLOCK_STOPPED_STATUSES

    def is_overdue(self, today):
        """Past its stored due date while the reply period runs (derived, never stored;
        the row form of CaseQuerySet.overdue, without the consultation pause, which
        the list's rows do not load)."""
        return (
            self.is_open()
            and not self.clock_stopped()
            and self.due_on is not None
            and self.due_on < today
        )


def hash_query_code(code):
    """Keyed digest of a 查询码 (the code is random and high-entropy)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, str(code).strip().upper().encode(), hashlib.sha256).hexdigest()


class EventKind(models.TextChoices):
    """The workflow steps, each writing one CaseEvent of its kind; and full views
    of the applicant's personal data, which are recorded too."""

    SUBMIT = "submit", "网上提交"
    REGISTER = "register", "登记"
    CONFIRM = "confirm", "确认收到申请"
    REQUEST_CORRECTION = "request_correction", "告知补正"
    RECORD_CORRECTION = "record_correction", "收到补正"
    LAPSE_CORRECTION = "lapse_correction", "逾期未补正"
    ASSIGN = "assign", "分办"
    REASSIGN = "reassign", "改派"
    CONSULT = "consult", "征求意见"
    RECORD_CONSULTATION_ANSWER = "record_consultation_answer", "收到意见"
    DRAFT_DECISION = "draft_decision", "拟办"
    REVIEW = "review", "审查"
    APPROVE_EXTENSION = "approve_extension", "批准延期"
    ENDORSE = "endorse", "审核同意，报分管领导"  # the office head's 审核 of a denial
    APPROVE = "approve", "审批"
    RETURN = "return", "审批退回"
    NOTIFY_FEE = "notify_fee", "发出收费通知"
    RECORD_FEE = "record_fee", "收到缴费"
    LAPSE_FEE = "lapse_fee", "逾期未缴费"
    REPLY = "reply", "答复"
    DELIVER = "deliver", "送达"
    RECORD_SIGNATURE = "record_signature", "登记签收"
    SUBMIT_CORRECTION = "submit_correction", "网上提交补正"
    PROPOSE_CORRECTION = "propose_correction", "承办部门申请告知补正"
    PROPOSE_EXTENSION = "propose_extension", "承办部门申请延期"
    APPROVE_CORRECTION = "approve_correction", "批准告知补正"
    DECLINE_PROPOSAL = "decline_proposal", "不同意承办部门的请示"
    HAND_BACK = "hand_back", "承办部门退回改派"
    WITHDRAW = "withdraw", "撤回申请"
    ARCHIVE = "archive", "归档"
    SUPERVISE = "supervise", "督办"
    VIEW_APPLICANT = "view_applicant", "查看申请人完整信息"
    # 行政复议/行政诉讼 steps (gongkai/appeals/workflow.py) and the 纠正 reopening.
    APPEAL_RECORD = "appeal_record", "登记行政复议/诉讼"
    APPEAL_EDIT = "appeal_edit", "修改行政复议/诉讼信息"
    APPEAL_ANSWER = "appeal_answer", "提交复议答复/答辩状"
    APPEAL_DECIDE = "appeal_decide", "登记复议决定/裁判结果"
    REOPEN = "reopen", "纠正后重新答复"


# The steps whose record is an opinion on the draft (拟办, 审查, 审核, 审批, 退回): the
# trail every later actor reads (issue 14 part 2).
OPINION_STEPS = (
    EventKind.DRAFT_DECISION,
    EventKind.REVIEW,
    EventKind.ENDORSE,
    EventKind.APPROVE,
    EventKind.RETURN,
    EventKind.APPROVE_EXTENSION,
    EventKind.PROPOSE_CORRECTION,
    EventKind.PROPOSE_EXTENSION,
    EventKind.APPROVE_CORRECTION,
    EventKind.DECLINE_PROPOSAL,
    EventKind.HAND_BACK,
)


class CaseEvent(Event):
    """One step taken on a case: the append-only audit trail.

    case: the case acted on.
    kind: the workflow step (EventKind).
    actor: the user who took the step; empty for the applicant's own online submission.
    at: when the step was recorded (server time).
    data: the step's facts as JSON (dates ISO, the new status, the due date, …).
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("环节", max_length=32, choices=EventKind.choices)

    class Meta(Event.Meta):
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self):
        return f"{self.case.tracking_number} {self.get_kind_display()}"

    record_name = "办理记录"


class Party(models.TextChoices):
    """Whose views are sought (values are gongkai.workdays.clock.Party)."""

    THIRD_PARTY = "third_party", "第三方（第三十二条）"
    AGENCY = "agency", "其他机关（第三十四条）"


class Consultation(models.Model):
    """A written request for views (征求意见); its time is not counted (Art. 33 第三款)."""

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="consultations"
    )
    party = models.CharField("征求对象类型", max_length=20, choices=Party.choices)
    addressee = models.CharField("征求对象", max_length=200)
    sent_on = models.DateField("发出日期")
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answer = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["sent_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("sent_on")),
                name="cases_consultation_answer_after_sent",
                violation_error_message="意见答复日期不能早于发出日期。",
            ),
        ]

    def __str__(self):
        return f"{self.case.tracking_number} 征求{self.addressee}意见"


class TrackingCounter(models.Model):
    """The last tracking number given out per agency and year (locked when incremented)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="cases_counter_unique"),
        ]

    def __str__(self):
        return f"{self.agency_id}-{self.year}: {self.last}"

    @classmethod
    def take(cls, agency_id, year):
        """The next number of (agency, year), in one statement: insert the counter at 1
        or add 1 to it. The row stays locked until the calling transaction ends, which
        serialises numbering (PostgreSQL and SQLite ≥ 3.35 both have this upsert)."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (agency_id, year, last) VALUES (%s, %s, 1) "
                f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {table}.last + 1 "
                "RETURNING last",
                [agency_id, year],
            )
            return cursor.fetchone()[0]

    @classmethod
    def set_last(cls, agency_id, year, last):
        cls.objects.filter(agency_id=agency_id, year=year).update(last=last)
