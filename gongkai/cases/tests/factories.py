"""make_case(**kw): register a case through the workflow, with pinned dates."""

import datetime as dt

from gongkai.cases import workflow
from gongkai.cases.models import ApplicantType, Channel, DefaultBusinessType, FormWanted
from gongkai.letters.tests.factories import ensure_remedy_bodies


def make_case(agency, by, **kw):
    kw.setdefault("applicant_type", ApplicantType.NATURAL_PERSON)
    kw.setdefault("applicant_name", "张三")
    kw.setdefault("applicant_id_document", "110101199001011234")
    kw.setdefault("applicant_contact", "13800000000")
    kw.setdefault("channel", Channel.ONLINE)
    kw.setdefault("submitted_on", dt.date(2024, 3, 1))
    if kw["channel"] != Channel.IN_PERSON:
        kw.setdefault("confirmed_on", kw["submitted_on"])
    kw.setdefault("content", "申请公开本局2023年治安案件统计数据")
    kw.setdefault("form_wanted", FormWanted.ELECTRONIC)
    kw.setdefault("business_type", DefaultBusinessType.PUBLIC_ORDER)
    return workflow.register(agency, by=by, **kw)


REASONS = "经查，所申请信息属于本案事实所述情形，理由见卷。"


def run_to(case, w, status, *, outcome="granted", on=None):
    """Drive `case` through the usual path up to `status` (one step per working day)."""
    on = on or case.received_on
    steps = [
        ("assigned", lambda c: workflow.assign(c, by=w.office, department=w.dept, on=on)),
        (
            "drafted",
            lambda c: workflow.draft_decision(
                c,
                by=w.handler,
                outcome=outcome,
                legal_basis="条例第三十六条第（二）项",
                reasons="" if outcome == "granted" else REASONS,
                on=on,
            ),
        ),
        (
            "reviewed",
            lambda c: workflow.review(
                workflow.review(c, by=w.legal_reviewer, kind="legal", passed=True, on=on),
                by=w.secrecy_reviewer,
                kind="secrecy",
                passed=True,
                on=on,
            ),
        ),
        ("approved", lambda c: workflow.approve(c, by=w.leader, on=on)),
        ("replied", lambda c: workflow.reply(c, by=w.office, on=on)),
        (
            "delivered",
            lambda c: workflow.deliver(c, by=w.office, method="direct", on=on),
        ),
    ]
    for name, step in steps:
        if name == "replied":  # a reply names the 复议机关 and the court
            ensure_remedy_bodies(case.agency)
        case = step(case)
        if name == status:
            return case
    raise ValueError(status)
