"""Who may read and who may change an agency's registers.

政务公开办 (office) staff and the 系统管理员 keep the registers and import data;
the 工作机构负责人 and the 分管领导 read them and the table they produce. Other
roles (登记, 承办部门, 审查) have no business here.
"""

from gongkai.agencies.models import Membership, Role, role_names

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
