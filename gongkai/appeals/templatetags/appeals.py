"""{% load appeals %}{% case_appeals case user %}: the case page's 复议/诉讼 section."""

from django import template

from gongkai.appeals import matters, views

register = template.Library()


@register.inclusion_tag("appeals/_case_appeals.html")
def case_appeals(case, user):
    if not matters.may_view_case(user, case):
        return {"visible": False}
    appeals = list(case.appeals.select_related("case__agency").order_by("filed_on", "id"))
    return {
        "visible": True,
        "case": case,
        "matters": matters.matters(appeals, views.today()),
        "may_record": matters.may_record(user, case.agency_id) and case.closed_on is not None,
    }
