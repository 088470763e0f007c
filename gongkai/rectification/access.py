"""Who sees and does what with 整改事项 (built on gongkai.library.access).

- Read: whoever reads the agency's reports in the library — the supervising offices
  above it, the agency's own 政务公开办/系统管理员/工作机构负责人/分管领导, and
  researchers (read-only).
- Hand out (create), close, send back: the 政务公开办 or 系统管理员 of the supervising
  agency (an agency strictly above the report's agency in the directory; nobody hands
  out 整改 to its own agency).
- Answer: the 政务公开办 or 系统管理员 of the agency itself (its platform agency); for
  an agency not on this platform, the supervising office records the answer it received.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from gongkai.agencies.models import Membership, role_names
from gongkai.library import access as library_access
from gongkai.library.models import LibraryAgency

from .models import Rectification

ACT_ROLES = library_access.EDIT_ROLES


def items_q(user):
    """Q over Rectification of the items `user` may read."""
    return Q(agency__in=LibraryAgency.objects.filter(library_access.agencies_q(user)).values("pk"))


def supervising_root(user, agency):
    """The user's nearest office agency strictly above `agency`, or None."""
    roots = [
        r
        for r in library_access.collectors(user)
        if agency.path.startswith(r.path) and r.pk != agency.pk
    ]
    return max(roots, key=lambda r: len(r.path)) if roots else None


def may_supervise(user, item):
    return any(r.pk == item.supervisor_id for r in library_access.collectors(user))


def may_answer(user, item):
    platform = item.agency.platform_id
    if platform is None:
        return may_supervise(user, item)
    return Membership.objects.filter(user=user, agency_id=platform, role__in=ACT_ROLES).exists()


def item_for(user, pk):
    """The item `pk` if `user` may read it, else PermissionDenied (or 404)."""
    if not user.is_authenticated:
        raise PermissionDenied("请先登录。")
    item = get_object_or_404(Rectification.objects.select_related("agency", "report"), pk=pk)
    if not Rectification.objects.filter(items_q(user), pk=pk).exists():
        raise PermissionDenied("您无权查看这项整改事项：它不属于您所在机关或其下级机关。")
    return item


def require_supervise(user, item):
    if not may_supervise(user, item):
        raise PermissionDenied(
            f"只有交办机关（{item.supervisor.name}）的{role_names(ACT_ROLES)}可以核验或退回。"
        )


def require_answer(user, item):
    if not may_answer(user, item):
        raise PermissionDenied(
            f"只有{item.agency.name}的{role_names(ACT_ROLES)}可以答复这项整改事项。"
        )
