"""{% load letters %}{% case_letters case user %}: the case page's letter section."""

from django import template

from gongkai.agencies.models import Membership
from gongkai.letters import delivery, services, views
from gongkai.letters.defaults import DEFAULTS
from gongkai.letters.models import LetterEvent, LetterEventKind, LetterIssued

register = template.Library()


@register.inclusion_tag("letters/_case_letters.html")
def case_letters(case, user, on=None):
    if not services.may_generate(user, case):
        return {"visible": False}
    items = services.annotate_missing(case, services.available(case), on=on or views.today())
    issued = list(
        LetterIssued.objects.filter(case=case).select_related("by").order_by("-at", "-id")[:20]
    )
    for row in issued:
        row.label = DEFAULTS.get(row.kind, {}).get("label", row.kind)
    text = services.reply_text(case)
    reply_key = services.reply_key(case)
    return {
        "visible": True,
        "case": case,
        "items": items,
        "issued": issued,
        "reply_key": reply_key,
        "text": text,
        "remedy_missing": services.remedy_missing(services.letterhead_for(case.agency))
        if reply_key
        else None,
        "can_reissue": Membership.objects.holds(
            user, case.agency_id, case.department_id, services.REISSUE_ROLES
        ),
        "reissues": LetterEvent.objects.filter(
            case=case, kind=LetterEventKind.REISSUE_QUERY_CODE
        ).select_related("actor"),
        "can_edit": services.may_edit(user, case.agency),
        "mails": _mails(case, user),
    }


def _mails(case, user):
    """The reply e-mails, the address masked for a role that sees personal data masked."""
    from gongkai.cases.views import mask_middle

    full = Membership.objects.sees_personal_data(user, case.agency_id)
    mails = delivery.mails_of(case)
    for m in mails:
        m.shown_to = m.to if full else mask_middle(m.to)
    return mails
