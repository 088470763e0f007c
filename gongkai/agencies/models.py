"""Agencies (机关), their departments (部门) and who holds which role in them."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Agency(models.Model):
    """An administrative agency (行政机关) that receives and answers requests.

    code: short stable identifier; also the `scope` of its local working-day rows
        (workdays.ExceptionalDay.scope) and the prefix of its tracking numbers.
    parent: the supervising agency (上级机关), which sees this agency's figures.
    """

    name = models.CharField("机关名称", max_length=100, unique=True)
    code = models.SlugField("机关代码", max_length=30, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
    )

    class Meta:
        verbose_name = "机关"
        verbose_name_plural = "机关"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A department of an agency that handles cases (警种、派出所、支队)."""

    agency = models.ForeignKey(
        Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField("部门名称", max_length=100)

    class Meta:
        verbose_name = "承办部门"
        verbose_name_plural = "承办部门"
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="agencies_department_unique"),
        ]

    def __str__(self):
        return f"{self.agency.name}·{self.name}"


class Role(models.TextChoices):
    REGISTRAR = "registrar", "登记"
    OFFICE = "office", "政务公开办（分办）"
    HANDLER = "handler", "承办部门"
    LEGAL_REVIEWER = "legal_reviewer", "法制审查"
    SECRECY_REVIEWER = "secrecy_reviewer", "保密审查"
    OFFICE_HEAD = "office_head", "工作机构负责人"
    LEADER = "leader", "分管领导"
    ADMIN = "admin", "系统管理员"
    INFO_OFFICER = "info_officer", "信息员"  # drafts 主动公开 items (issue 5)


# Roles that see an applicant's personal data in full (name, ID number, contact, ID
# scan); every other role sees it masked (王*) and is refused the ID scan.
PERSONAL_DATA_ROLES = frozenset(
    {Role.REGISTRAR, Role.OFFICE, Role.ADMIN, Role.OFFICE_HEAD, Role.LEADER}
)


def role_names(roles):
    """The roles' Chinese names in a stable order, for messages ("登记、承办部门")."""
    return "、".join(Role(r).label for r in sorted(roles))


def missing_role(action, roles):
    """The message refusing `action` (its label) to a user without one of `roles`."""
    where = "本部门" if set(roles) == {Role.HANDLER} else "本机关"
    return f"您没有“{action}”的权限：需要{where}的{role_names(roles)}角色。"


# Who works on 依申请公开 cases: every role but the 信息员, whose work is 主动公开 only
# (least privilege: an 信息员 reaches no case, no applicant's data, no letter).
CASEWORK_ROLES = frozenset(Role) - {Role.INFO_OFFICER}
# Who works on 主动公开 items: every role (the step's own roles decide what it may do).
PUBLISHING_ROLES = frozenset(Role)


def reach(memberships):
    """(agency ids, department ids) these memberships reach: a handler (承办部门) its
    own department, every other role the whole agency. memberships: dicts with role,
    agency_id and department_id (Membership.objects.values())."""
    agencies = {m["agency_id"] for m in memberships if m["role"] != Role.HANDLER}
    departments = {m["department_id"] for m in memberships if m["role"] == Role.HANDLER}
    return agencies, departments


class MembershipQuerySet(models.QuerySet):
    """The one home of "who may see what": a record (case or item) of an agency and
    department is reached by a membership of a role in `roles` (CASEWORK_ROLES unless
    said otherwise) — a handler's only in its own department, every other role's in
    the whole agency. Views, workflows, letters and attachments all ask here."""

    def acting_on(self, user, agency_id, department_id=None, *, roles=CASEWORK_ROLES):
        """Memberships of `user` that reach a record of this agency and department."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user, agency_id=agency_id, role__in=roles).filter(
            ~Q(role=Role.HANDLER) | Q(department_id=department_id, department__isnull=False)
        )

    def holds(self, user, agency_id, department_id, roles):
        """True when `user` holds one of `roles` reaching a record of this agency and
        department."""
        return self.acting_on(user, agency_id, department_id, roles=roles).exists()

    def sees_personal_data(self, user, agency_id):
        """True when `user` holds a PERSONAL_DATA_ROLES role in this agency (those roles
        are agency-wide)."""
        if user is None or not user.is_authenticated:
            return False
        return self.filter(user=user, agency_id=agency_id, role__in=PERSONAL_DATA_ROLES).exists()

    def roles_reaching(self, user, agency_id, department_id=None, *, roles=CASEWORK_ROLES):
        """The roles (a set) `user` holds that reach a record of this agency and
        department; empty for an anonymous user or one without such a role."""
        return set(
            self.acting_on(user, agency_id, department_id, roles=roles).values_list(
                "role", flat=True
            )
        )

    def of(self, user, *, roles=CASEWORK_ROLES):
        """`user`'s memberships of `roles` as dicts (agency_id, department_id, role)."""
        if user is None or not user.is_authenticated:
            return []
        return list(
            self.filter(user=user, role__in=roles).values("agency_id", "department_id", "role")
        )

    def reach_q(self, user, *, roles=CASEWORK_ROLES, memberships=None):
        """Q over agency_id / department_id of the records `user` reaches (the set
        form of acting_on); pass `memberships` (from `of`) to save a query."""
        if memberships is None:
            memberships = self.of(user, roles=roles)
        agencies, departments = reach(memberships)
        return Q(agency_id__in=agencies) | Q(department_id__in=departments)


class Membership(models.Model):
    """One role a user holds in an agency, optionally within one department.

    A user may hold several roles (one row each). A handler (承办部门) needs a
    department; the other roles are agency-wide.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.CASCADE
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "人员角色"
        verbose_name_plural = "人员角色"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "department", "role"],
                name="agencies_membership_unique",
            ),
            models.UniqueConstraint(  # NULL department: unique per agency (SQLite too)
                fields=["user", "agency", "role"],
                condition=Q(department__isnull=True),
                name="agencies_membership_unique_agency_wide",
            ),
            models.CheckConstraint(
                condition=~Q(role="handler") | Q(department__isnull=False),
                name="agencies_handler_has_department",
                violation_error_message="承办部门角色必须指定所属部门。",
            ),
        ]

    def __str__(self):
        where = self.department.name if self.department_id else self.agency.name
        return f"{self.user}：{where} {self.get_role_display()}"
