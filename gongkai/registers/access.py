"""Who may read and who may change an agency's registers.

政务公开办 (office) staff and the 系统管理员 keep the registers and import data;
the 工作机构负责人 and the 分管领导 read them and the table they produce. Other
roles (登记, 承办部门, 审查) have no business here.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from gongkai.agencies.models import Agency, Membership, Role, role_names

EDIT_ROLES = frozenset({Role.OFFICE, Role.ADMIN})
VIEW_ROLES = EDIT_ROLES | {Role.OFFICE_HEAD, Role.LEADER}


class RegisterError(Exception):
    """A change that may not be made; the message tells the user why (Chinese)."""


def roles_in(user, agency):
    """The roles `user` holds in `agency` (agency-wide or in any department)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def require_edit(user, agency, action):
    """RegisterError unless `user` may change `agency`'s registers."""
    if not roles_in(user, agency) & EDIT_ROLES:
        raise RegisterError(
            f"您没有“{action}”的权限：需要{agency.name}的{role_names(EDIT_ROLES)}角色。"
        )


def agency_view(*, edit, template, view_action, edit_action, no_membership):
    """A view decorator resolving <code> to an agency whose registers the user may see
    (VIEW_ROLES) or change (EDIT_ROLES); the view gets the agency, and request.can_edit.
    No membership at all: a 403 page saying so; not a member of this agency: 404 (its
    existence is not disclosed); a member without the roles: a 403 page naming them.
    Shared by the registers and the activity registers (gongkai.activities)."""
    needed = EDIT_ROLES if edit else VIEW_ROLES

    def denied(request, reason):
        return render(request, template, {"reason": reason}, status=403)

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, code, *args, **kwargs):
            held = list(
                Membership.objects.filter(user=request.user).values_list("agency__code", "role")
            )
            if not held:
                return denied(request, no_membership)
            roles = {role for agency_code, role in held if agency_code == code}
            if not roles:
                raise Http404("没有找到这个机关，或您无权查看。")
            agency = get_object_or_404(Agency, code=code)
            if not roles & needed:
                action = edit_action if edit else view_action
                return denied(
                    request,
                    f"您在{agency.name}的角色不能{action}：需要{role_names(needed)}角色。"
                    "如需开通，请联系本机关的系统管理员。",
                )
            request.can_edit = bool(roles & EDIT_ROLES)
            return view(request, agency, *args, **kwargs)

        return wrapper

    return decorate
