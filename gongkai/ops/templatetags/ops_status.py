from django import template

from gongkai.ops.tasks import last_successes

register = template.Library()


@register.inclusion_tag("ops/_job_status.html")
def job_status():
    """When each periodic job last succeeded (the notices page)."""
    return {"jobs": last_successes()}
