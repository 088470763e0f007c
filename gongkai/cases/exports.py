"""The 申请登记簿 as a table: every registered field of a case, one row per case.

Declared once as data (the fields, in the order of the register form and the
workflow); headers are the model's own verbose names, choice fields print their
Chinese labels. Personal data is masked as in the case list unless the export is a
full one, which only roles that see applicant data in full may take and which is
recorded per case (views.case_export).
"""

from gongkai.cases.models import ApplicantType, BusinessType, Case
from gongkai.spreadsheets import Column

FIELDS = (
    "tracking_number",
    "agency",
    "channel",
    "submitted_on",
    "arrived_on",
    "confirmed_on",
    "received_on",
    "applicant_type",
    "applicant_name",
    "applicant_id_document",
    "applicant_contact",
    "applicant_address",
    "content",
    "form_wanted",
    "business_type",
    "department",
    "status",
    "outcome",
    "legal_basis",
    "correction_requested_on",
    "correction_items",
    "correction_due_on",
    "corrected_on",
    "due_on",
    "original_due_on",
    "due_provisional",
    "extended_on",
    "extension_reason",
    "fee_amount",
    "fee_notified_on",
    "fee_paid_on",
    "approved_on",
    "replied_on",
    "closed_on",
    "delivery_method",
    "delivered_on",
    "archived_on",
)
PERSONAL = ("applicant_name", "applicant_id_document", "applicant_contact", "applicant_address")
WIDE = {"content": 40, "legal_basis": 30, "correction_items": 30, "extension_reason": 30}


def _plain(name):
    field = Case._meta.get_field(name)
    if field.choices:  # the label, as get_FOO_display gives it, looked up once per export
        labels = {value: str(label) for value, label in field.flatchoices}
        return lambda case: labels.get(getattr(case, name), getattr(case, name))
    if field.is_relation:
        return lambda case: getattr(case, name).name if getattr(case, f"{name}_id") else ""
    if field.get_internal_type() == "BooleanField":
        return lambda case: "是" if getattr(case, name) else "否"
    if field.get_internal_type() == "DecimalField":
        return lambda case: None if getattr(case, name) is None else float(getattr(case, name))
    return lambda case: getattr(case, name)


def columns(*, full, mask_name, mask_middle):
    """The register's columns; personal fields masked unless `full`."""
    names = BusinessType.names()
    value = {name: _plain(name) for name in FIELDS}
    value["business_type"] = lambda case: names.get(case.business_type, case.business_type)
    if not full:
        value["applicant_name"] = lambda case: (
            mask_name(case.applicant_name)
            if case.applicant_type == ApplicantType.NATURAL_PERSON
            else case.applicant_name
        )
        value["applicant_id_document"] = lambda case: mask_middle(case.applicant_id_document)
        value["applicant_contact"] = lambda case: mask_middle(case.applicant_contact)
        value["applicant_address"] = lambda case: mask_middle(case.applicant_address, 6, 0)
    return [
        Column(str(Case._meta.get_field(name).verbose_name), value[name], WIDE.get(name, 14))
        for name in FIELDS
    ]
