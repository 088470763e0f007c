"""A subordinate agency for the demo: 示范县公安局 under 示范市公安局 (issue 14 part 8).

The supervising views (supervision/subordinates) show a subordinate's report figures
and its overdue count; without one the demo bureau's page was empty. The county is
small: one demo login (`county`) holds every casework role there and the 信息员 role,
a dozen requests over last year and this one go through the workflow with the demo
bureau's generator (gongkai/demo/bureau.py), two are left open (one overdue), and a
few documents are published through the 主动公开 workflow.

Deterministic (its own seed); running it again changes nothing. The city bureau's
users hold no role in the county: the city sees its figures, never its cases.
"""

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction

from gongkai.agencies.models import Agency, Department, Membership, Role

AGENCY_NAME = "示范县公安局"
AGENCY_CODE = "SFXGAJ"
USERNAME = "county"
SEED = 20260103
# The bureau generator's department names → the county's (a 县局 has 大队, not 支队).
DEPARTMENTS = {
    "办公室": "办公室",
    "治安支队": "治安大队",
    "户政科": "户政科",
    "交警支队": "交警大队",
    "出入境管理支队": "出入境管理大队",
    "网安支队": "网安大队",
    "刑侦支队": "刑侦大队",
    "城关派出所": "城关派出所",
}
CASEWORK_ROLES = (
    Role.REGISTRAR,
    Role.OFFICE,
    Role.LEGAL_REVIEWER,
    Role.SECRECY_REVIEWER,
    Role.OFFICE_HEAD,
    Role.LEADER,
    Role.INFO_OFFICER,
)
LAST_YEAR_CASES = 7
THIS_YEAR_CASES = 4
PUBLISHED_ITEMS = 3


def ensure_county(bureau):
    """The county agency under `bureau`, its departments and the county login's roles."""
    county, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE, defaults={"name": AGENCY_NAME, "parent": bureau}
    )
    depts = {
        name: Department.objects.get_or_create(agency=county, name=name)[0]
        for name in dict.fromkeys(DEPARTMENTS.values())
    }
    user = User.objects.get(username=USERNAME)
    for role in CASEWORK_ROLES:
        Membership.objects.get_or_create(user=user, agency=county, department=None, role=role)
    for dept in depts.values():
        Membership.objects.get_or_create(
            user=user, agency=county, department=dept, role=Role.HANDLER
        )
    from gongkai.letters.models import Letterhead

    Letterhead.objects.get_or_create(
        agency=county,
        defaults={
            "full_name": AGENCY_NAME,
            "number_prefix": "示县公开〔{year}〕",
            "signature": AGENCY_NAME,
            "address": "示范县城关镇建设路8号",
            "phone": "0000-87654321",
            "reconsideration_body": "示范县人民政府",
            "court": "示范县人民法院",
        },
    )
    return county, user


@transaction.atomic
def load(bureau, today):
    """The county, and once its cases and published items; returns cases created."""
    from gongkai.cases.models import Case
    from gongkai.cases.models import DefaultBusinessType as B
    from gongkai.demo import bureau as city
    from gongkai.demo import publications as publication_demo

    county, user = ensure_county(bureau)
    if Case.objects.filter(agency=county).exists():
        return 0
    rng = random.Random(SEED)
    b = city._Builder(county, today, rng)
    b.users = dict.fromkeys(b.users, user)
    b.depts = {
        bureau_name: county.departments.get(name=n) for bureau_name, n in DEPARTMENTS.items()
    }
    b.handler_of = {d.name: user for d in b.depts.values()}
    b.handler_of.update(dict.fromkeys(DEPARTMENTS, user))
    created = []
    last_year = today.year - 1
    for day in city._received_days(rng, last_year, LAST_YEAR_CASES, dt.date(last_year, 12, 20)):
        created.append(b.case(b.workday_on_or_after(day)))
    this_year_until = today - dt.timedelta(40)
    for day in city._received_days(rng, today.year, THIS_YEAR_CASES, this_year_until):
        created.append(b.case(b.workday_on_or_after(day)))
    # Open now: one overdue (received 26 working days ago), one due in a few days.
    overdue = b.pending(city._workdays_before(b.cal, today, 26), B.PUBLIC_ORDER, "治安支队")
    soon = b.pending(city._workdays_before(b.cal, today, 17), B.HOUSEHOLD, "户政科")
    created += [overdue, soon]
    items = publication_demo._Demo(
        county, {"info": user, "clerk": user, "secrecy": user, "leader": user}, today
    )
    from gongkai.publications.models import PublicationSettings

    PublicationSettings.objects.get_or_create(
        agency=county, defaults={"index_prefix": "001008099001002"}
    )
    for n in range(PUBLISHED_ITEMS):
        written = publication_demo._workday(today - dt.timedelta(30 + 45 * n))
        items.document(written)
    return len(created)
