"""{% rectification_panel report %}: a library report's 整改事项, and the link to hand
out 整改 for its confirmed findings (the library report page shows it)."""

from django import template

from gongkai.reports import findings
from gongkai.reports.views import where_label

from .. import access, views, workflow

register = template.Library()


@register.inclusion_tag("rectification/_panel.html", takes_context=True)
def rectification_panel(context, report):
    user = context["request"].user
    today = views.today()
    items = views.rows(views.for_report(user, report), today)
    may_create = bool(
        context.get("may_edit")
        and report.agency_id
        and access.supervising_root(user, report.agency) is not None
    )
    return {
        "report": report,
        "items": items,
        "may_create": may_create,
        "candidates": workflow.candidates(report).count() if may_create else 0,
        "today": today,
    }


@register.filter
def rule_title(rule):
    """表三勾稽关系 for T3-BALANCE (the checker's own names)."""
    return findings.RULES.get(rule, rule)


@register.filter
def place(where):
    """A finding's location in words ("表三… · 自然人"), or ""."""
    return where_label((where or "").split("#")[0], None) or ""
