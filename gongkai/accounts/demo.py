"""Demo logins for `make run`: who they are, and loading them idempotently.

Later issues add users here (e.g. a reviewer, an applicant); keep one line each.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

CLERKS_GROUP = "政务公开办"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # shown to people by `demo_logins`
    is_superuser: bool = False
    is_staff: bool = False
    groups: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("admin", "gongkai-admin", "系统管理员（可进入后台 /admin/）", True, True),
    DemoUser("clerk", "gongkai-clerk", "政务公开办经办人员", False, True, (CLERKS_GROUP,)),
)


@transaction.atomic
def load_demo():
    """Create or reset every demo user; running it again changes nothing."""
    created = []
    for demo in DEMO_USERS:
        user, is_new = User.objects.get_or_create(username=demo.username)
        user.is_superuser = demo.is_superuser
        user.is_staff = demo.is_staff
        user.is_active = True
        if not user.check_password(demo.password):
            user.set_password(demo.password)
        user.save()
        user.groups.set(Group.objects.get_or_create(name=name)[0] for name in demo.groups)
        if is_new:
            created.append(demo.username)
    return created
