"""{% load attachments %}{% case_attachments case user %}: the case page's attachment section."""

from django import template

from gongkai.agencies.models import PERSONAL_DATA_ROLES
from gongkai.attachments import services
from gongkai.attachments.forms import RemoveForm, UploadForm
from gongkai.attachments.models import CaseAttachment
from gongkai.attachments.uploads import size_text

register = template.Library()


@register.inclusion_tag("attachments/_case_attachments.html")
def case_attachments(case, user):
    roles = services.roles_on(user, case)
    if not roles:
        return {"visible": False}
    rows = list(
        CaseAttachment.objects.present()
        .filter(case=case)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    may_remove = bool(roles & services.REMOVE_ROLES)
    full = bool(roles & PERSONAL_DATA_ROLES)
    archived = not services.may_upload(case, roles)
    items = [
        {
            "row": row,
            "size": size_text(row.size),
            "can_remove": not archived and (may_remove or row.uploaded_by_id == user.pk),
            "withheld": not full and row.kind in services.MASKED_REFUSED_KINDS,
        }
        for row in rows
    ]
    return {
        "visible": True,
        "case": case,
        "items": items,
        "form": None if archived else UploadForm(),
        "remove_form": RemoveForm(),
        "archived": archived,
    }
