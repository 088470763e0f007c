"""{% load letters %}{% case_letters case user %}: the case page's letter section."""

from django import template

from gongkai.letters import pdf, services, views
from gongkai.letters.defaults import DEFAULTS
from gongkai.letters.models import LetterIssued

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
    return {
        "visible": True,
        "case": case,
        "items": items,
        "issued": issued,
        "pdf_available": pdf.converter() is not None,
        "pdf_message": pdf.UNAVAILABLE,
        "can_edit": services.may_edit(user, case.agency),
    }
