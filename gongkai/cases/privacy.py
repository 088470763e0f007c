"""Views of an applicant's personal data in full: the one place they are recorded.

Who sees personal data in full is agencies.models.PERSONAL_DATA_ROLES; every full
view — the case page, a letter naming the applicant, a downloaded ID scan or
application — is one VIEW_APPLICANT event in the case's audit trail and one line
in the audit log (issue 13 #3).
"""

import logging

from django.utils import timezone

from gongkai.cases.models import CaseEvent, EventKind

audit = logging.getLogger("gongkai.audit")

# What was viewed, as the event's data["what"] records it.
CASE_PAGE = "case_page"
LETTER = "letter"
ATTACHMENT = "attachment"


def record_view(case, user, what, *, on=None, **facts):
    """Record that `user` saw `case`'s personal data in full through `what`."""
    on = on or timezone.localdate()
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.VIEW_APPLICANT,
        actor=user,
        data={"on": on.isoformat(), "what": what, **facts},
    )
    audit.info(
        "applicant data viewed in full: case=%s user=%s what=%s",
        case.tracking_number,
        user.get_username(),
        what,
    )
