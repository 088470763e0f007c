"""{% supervise_button case %}: the 督办 form on the case page, for those who may use it."""

from django import template

from gongkai.supervision.forms import SuperviseForm
from gongkai.supervision.workflow import may_supervise

register = template.Library()


@register.inclusion_tag("supervision/_supervise_button.html", takes_context=True)
def supervise_button(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user and user.is_authenticated and case.is_open() and may_supervise(user, case))
    return {
        "show": show,
        "case": case,
        "form": SuperviseForm(auto_id="supervise_%s") if show else None,
        "csrf_token": context.get("csrf_token"),
    }
