"""{% rectification_panel report %}: a library report's 整改事项, and the link to hand
out 整改 for its confirmed findings (the library report page shows it)."""

from django import template

from gongkai.library.models import Review
from gongkai.reports import findings
from gongkai.reports.views import where_label

from .. import access, views
from ..models import Rectification, State

register = template.Library()


@register.inclusion_tag("rectification/_panel.html", takes_context=True)
def rectification_panel(context, report):
    user = context["request"].user
    items = Rectification.objects.filter(access.items_q(user), report=report).order_by("-id")
    may_create = bool(
        context.get("may_edit")
        and report.agency_id
        and access.supervising_root(user, report.agency) is not None
    )
    open_findings = report.findings.filter(state=Review.CONFIRMED).exclude(
        rectifications__state__in=[State.OPEN, State.ANSWERED]
    )
    return {
        "report": report,
        "items": list(items),
        "may_create": may_create,
        "candidates": open_findings.count() if may_create else 0,
        "today": views.today(),
    }


@register.filter
def rule_title(rule):
    """表三勾稽关系 for T3-BALANCE (the checker's own names)."""
    return findings.RULES.get(rule, rule)


@register.filter
def place(where):
    """A finding's location in words ("表三… · 自然人"), or ""."""
    return where_label((where or "").split("#")[0], None) or ""
