"""Which sections of the site the user's roles open, for the navigation: a link is
shown only to those it opens for (issue 14 part 8). One query, only when a page asks.

The rules are the sections' own: casework (cases, 我的待办) CASEWORK_ROLES, 主动公开
PUBLISHING_ROLES, the registers registers.access.VIEW_ROLES, the annual report
annual.workflow.VIEW_ROLES, the report library library.access (and its researchers).
"""

import functools

from gongkai.agencies.models import CASEWORK_ROLES, PUBLISHING_ROLES, Membership


class Sections:
    def __init__(self, user):
        self.user = user

    @functools.cached_property
    def roles(self):
        return set(Membership.objects.filter(user=self.user).values_list("role", flat=True))

    @property
    def inbox(self):
        return bool(self.roles)

    @property
    def casework(self):
        return bool(self.roles & CASEWORK_ROLES)

    @property
    def case_register(self):
        from gongkai.cases.views import REGISTER_ROLES

        return bool(self.roles & REGISTER_ROLES)

    @property
    def case_report(self):
        from gongkai.cases.views import REPORT_ROLES

        return bool(self.roles & REPORT_ROLES)

    @property
    def publications(self):
        return bool(self.roles & PUBLISHING_ROLES)

    @property
    def annual(self):
        from gongkai.annual.workflow import VIEW_ROLES

        return bool(self.roles & VIEW_ROLES)

    @property
    def library(self):
        from gongkai.library import access

        if self.roles:
            return bool(self.roles & access.VIEW_ROLES)
        return self.user.has_perm(access.RESEARCH)  # a researcher holds no agency role

    @property
    def registers(self):
        from gongkai.registers.access import VIEW_ROLES

        return bool(self.roles & VIEW_ROLES)


def sections(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"nav_sections": Sections(user)}
