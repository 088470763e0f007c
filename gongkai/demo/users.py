"""Demo logins for `make run`: who they are, and loading them idempotently.

Each demo user holds one role in the demo bureau (gongkai/demo/bureau.py); a handler
(承办部门) holds it in two departments. Keep one line per user.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from gongkai.agencies.models import Role

CLERKS_GROUP = "政务公开办"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # shown to people by `demo_logins`
    is_superuser: bool = False
    is_staff: bool = False
    groups: tuple[str, ...] = ()
    # (Role, department names) held in the demo bureau; no names: agency-wide.
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _handler(n, first, second):
    return DemoUser(
        f"handler{n}",
        f"gongkai-handler{n}",
        f"承办部门（{first}、{second}）",
        roles=((Role.HANDLER, (first, second)),),
    )


DEMO_USERS = (
    DemoUser(
        "admin",
        "gongkai-admin",
        "系统管理员（可进入后台 /admin/）",
        True,
        True,
        roles=((Role.ADMIN, ()),),
    ),
    DemoUser(
        "registrar", "gongkai-registrar", "登记人员（收件登记）", roles=((Role.REGISTRAR, ()),)
    ),
    DemoUser(
        "clerk",
        "gongkai-clerk",
        "政务公开办经办人员（分办、答复、送达、归档）",
        False,
        True,
        (CLERKS_GROUP,),
        roles=((Role.OFFICE, ()),),
    ),
    _handler(1, "治安支队", "户政科"),
    _handler(2, "交警支队", "出入境管理支队"),
    _handler(3, "网安支队", "刑侦支队"),
    _handler(4, "城关派出所", "办公室"),
    DemoUser("legal", "gongkai-legal", "法制审查人员", roles=((Role.LEGAL_REVIEWER, ()),)),
    DemoUser("secrecy", "gongkai-secrecy", "保密审查人员", roles=((Role.SECRECY_REVIEWER, ()),)),
    DemoUser(
        "office_head",
        "gongkai-office-head",
        "工作机构负责人（批准延期、审批）",
        roles=((Role.OFFICE_HEAD, ()),),
    ),
    DemoUser("leader", "gongkai-leader", "分管领导（审批不予公开）", roles=((Role.LEADER, ()),)),
    DemoUser(
        "info", "gongkai-info", "信息员（起草主动公开信息）", roles=((Role.INFO_OFFICER, ()),)
    ),
    # No role in the city bureau: every role in its subordinate 示范县公安局 (demo/county.py).
    DemoUser("county", "gongkai-county", "下级机关示范县公安局的全部办理角色和信息员"),
)


def load_users():
    """Create or reset every demo user; returns the usernames created this time."""
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


@transaction.atomic
def load_demo(today=None, cases=True):
    """Demo users, then the demo bureau and its cases; running it again changes nothing.

    `today`: the day the demo's open cases are measured against (default: today).
    cases=False: the bureau and its memberships only, no cases.
    Returns (usernames created, cases created).
    """
    from gongkai.demo import bureau as case_demo  # bureau reads DEMO_USERS

    created = load_users()
    if not cases:
        case_demo.ensure_bureau()
        return created, 0
    count = case_demo.load(today=today)
    _load_other_demos(case_demo.ensure_bureau(), today)
    return created, count


def _load_other_demos(bureau, today):
    """The bureau's registers (表二), published items, annual reports and portal pages:
    each app's own idempotent demo loader."""
    import datetime as dt

    from gongkai.demo import activities as activities_demo
    from gongkai.demo import annual as annual_demo
    from gongkai.demo import county as county_demo
    from gongkai.demo import portal as portal_demo
    from gongkai.demo import publications as publication_demo
    from gongkai.demo import registers as registers_demo

    users = {
        u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
    }
    registers_demo.load(bureau, users["clerk"], today=today)
    activities_demo.load(bureau, users["clerk"], today=today or dt.date.today())
    publication_demo.load(bureau, users, today=today)
    # Before the portal's demo: last year's report is published through the annual
    # workflow (the portal's demo publishes reports only where there are none).
    annual_demo.load(bureau, users, today or dt.date.today())
    portal_demo.load_demo_bureau(today or dt.date.today())
    county_demo.load(bureau, today or dt.date.today())  # the subordinate agency
