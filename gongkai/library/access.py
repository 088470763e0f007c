"""Who may use the report library, and which agencies they reach.

- 政务公开办 staff (office) and the 系统管理员 (admin) of a platform agency collect
  reports, assign them, review findings and correct cells — for their agency and
  every agency under it in the directory (the supervisor's 上级部署/考核 work).
- The 工作机构负责人 and the 分管领导 read the same agencies' reports.
- A researcher (the permission library.research) reads every report, read-only.
- The directory is imported by holders of library.manage_directory.
Other roles (登记, 承办部门, 审查, 信息员) have no business here (least privilege).
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from gongkai.agencies.models import Membership, Role, reach, role_names

from .directory import link_platform_agencies
from .models import LibraryAgency, LibraryReport

EDIT_ROLES = frozenset({Role.OFFICE, Role.ADMIN})
VIEW_ROLES = EDIT_ROLES | {Role.OFFICE_HEAD, Role.LEADER}
RESEARCH = "library.research"
DIRECTORY = "library.manage_directory"


def _roots(user, roles):
    memberships = Membership.objects.of(user, roles=roles)
    agency_ids, _departments = reach(memberships)  # every library role is agency-wide
    if not agency_ids:
        return []
    link_platform_agencies()
    return list(LibraryAgency.objects.filter(platform_id__in=agency_ids).order_by("path"))


def _under(roots):
    if not roots:
        return Q(pk__in=[])
    return reduce(or_, (Q(path__startswith=r.path) for r in roots))


def may_view(user):
    return bool(user.is_authenticated and (user.has_perm(RESEARCH) or _roots(user, VIEW_ROLES)))


def agencies_q(user, *, edit=False):
    """Q over LibraryAgency of the agencies `user` reaches (edit: may change)."""
    if not edit and user.has_perm(RESEARCH):
        return Q()
    return _under(_roots(user, EDIT_ROLES if edit else VIEW_ROLES))


def reports_q(user, *, edit=False):
    """Q over LibraryReport: filed under a reached agency, or collected by one."""
    if not edit and user.has_perm(RESEARCH):
        return Q()
    roots = _roots(user, EDIT_ROLES if edit else VIEW_ROLES)
    under = _under(roots)
    if not roots:
        return under
    agencies = LibraryAgency.objects.filter(under).values("pk")
    q = Q(agency__in=agencies) | Q(agency__isnull=True, collector__in=agencies)
    if any(r.parent_id is None for r in roots):
        # Collected for no one (the CLI without --collector): the top of the directory.
        q |= Q(agency__isnull=True, collector__isnull=True)
    return q


def collectors(user):
    """The agencies `user` collects reports for (their own offices' agencies)."""
    return _roots(user, EDIT_ROLES)


def require_view(user):
    if not may_view(user):
        raise PermissionDenied(
            f"您没有使用年报库的权限：需要{role_names(VIEW_ROLES)}角色，或研究人员权限。"
        )


def require_edit(user):
    if not collectors(user):
        raise PermissionDenied(
            f"您没有收集和核实年度报告的权限：需要{role_names(EDIT_ROLES)}角色。"
        )


def report_for(user, pk, *, edit=False):
    """The report `pk` if `user` reaches it, else PermissionDenied (or 404)."""
    from django.shortcuts import get_object_or_404

    report = get_object_or_404(LibraryReport, pk=pk)
    if not LibraryReport.objects.filter(reports_q(user, edit=edit), pk=pk).exists():
        raise PermissionDenied("您无权查看或处理这份报告：它不属于您所在机关或其下级机关。")
    return report
