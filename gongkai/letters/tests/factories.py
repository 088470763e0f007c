"""A letterhead that names the 行政复议机关 and the court, as a reply needs."""

from gongkai.letters.models import Letterhead


def complete_letterhead(agency, **fields):
    fields.setdefault("full_name", agency.name)
    fields.setdefault("number_prefix", agency.name + "公开〔{year}〕")
    fields.setdefault("signature", agency.name)
    fields.setdefault("reconsideration_body", "某某市人民政府")
    fields.setdefault("court", "某某市某某区人民法院")
    head, _ = Letterhead.objects.update_or_create(agency=agency, defaults=fields)
    return head


def ensure_remedy_bodies(agency):
    """The agency's letterhead names a 复议机关 and a court (others fields kept)."""
    head = Letterhead.objects.filter(agency=agency).first()
    if head is None:
        return complete_letterhead(agency)
    head.reconsideration_body = head.reconsideration_body or "某某市人民政府"
    head.court = head.court or "某某市某某区人民法院"
    head.save()
    return head
