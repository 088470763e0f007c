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
EXPORT = "export"  # the 申请登记簿 exported in full
WHAT_LABELS = {
    CASE_PAGE: "办件页面",
    LETTER: "文书",
    ATTACHMENT: "附件",
    EXPORT: "申请登记簿完整导出",
}
EXPORT_BATCH = 2000  # view records written at a time by `recorded`


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


def recorded(cases, user, what, *, on=None):
    """Yield `cases` (an iterable, read lazily), recording each as a full view of its
    applicant's data through `what`: one event per case, written in batches, and one
    audit-log line for the whole run."""
    on = on or timezone.localdate()
    data = {"on": on.isoformat(), "what": what}
    batch = []
    count = 0
    for case in cases:
        batch.append(CaseEvent(case=case, kind=EventKind.VIEW_APPLICANT, actor=user, data=data))
        if len(batch) == EXPORT_BATCH:
            CaseEvent.objects.bulk_create(batch)
            count += len(batch)
            batch = []
        yield case
    CaseEvent.objects.bulk_create(batch)
    audit.info(
        "applicant data viewed in full: %d cases user=%s what=%s",
        count + len(batch),
        user.get_username(),
        what,
    )
