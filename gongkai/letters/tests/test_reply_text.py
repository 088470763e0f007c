"""The reply as it holds up: the handler's reasons, 您/贵单位, the remedy bodies required,
the per-case text edited, approved and versioned, the 查询码 receipt and its re-issue."""

import datetime as dt
import io

import docx
import pdfplumber
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import CASEWORK_ROLES, Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.cases import workflow
from gongkai.cases.forms import DraftForm
from gongkai.cases.models import ApplicantType, Case, CaseEvent, Channel, Status
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters import services, views
from gongkai.letters.models import LetterEvent, Letterhead, LetterText
from gongkai.letters.services import LetterError, generate

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
ON = D("2024-03-20")
REASON = "所申请的询问笔录属于正在办理的治安案件的执法案卷，该案尚未办结。"


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: ON)


def text_of(data):
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def pdf_text(data):
    with pdfplumber.open(io.BytesIO(data)) as document:
        return "".join(page.extract_text() for page in document.pages).replace("\n", "")


def denial(world, **kw):
    case = run_to(make_case(world.agency, world.registrar, **kw), world, "assigned")
    case = workflow.draft_decision(
        case,
        by=world.handler,
        outcome="denied.enforcement_file",
        legal_basis="《中华人民共和国政府信息公开条例》第十六条第二款",
        reasons=REASON,
        on=D("2024-03-04"),
    )
    case = workflow.review(case, by=world.legal_reviewer, kind="legal", passed=True, on=ON)
    return workflow.review(case, by=world.secrecy_reviewer, kind="secrecy", passed=True, on=ON)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# ---- reasons -------------------------------------------------------------------------


def test_a_refusal_is_not_drafted_without_its_reasons(world):
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    for outcome in ("denied.third_party", "partial", "unavailable.not_held"):
        with pytest.raises(workflow.WorkflowError, match="须说明理由"):
            workflow.draft_decision(
                case, by=world.handler, outcome=outcome, legal_basis="条例", reasons=" ", on=ON
            )
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED
    assert not CaseEvent.objects.filter(case=case, kind="draft_decision").exists()
    form = DraftForm(
        {
            "outcome": "denied.third_party",
            "legal_basis": "条例",
            "reasons": "",
            "seen_status": "assigned",
        },
        case=case,
        today=ON,
        action="draft_decision",
    )
    assert not form.is_valid() and "须说明理由" in str(form.errors["reasons"])
    granted = workflow.draft_decision(
        case, by=world.handler, outcome="granted", legal_basis="条例", on=ON
    )
    assert granted.status == Status.DRAFTED  # 予以公开 needs no reasons


def test_the_denial_states_the_reasons_the_basis_and_the_remedy_bodies_in_docx_and_pdf(world):
    case = workflow.approve(denial(world), by=world.leader, on=ON)
    docx_text = text_of(generate(case, "reply.denied.enforcement_file", by=world.office, on=ON)[0])
    pdf_bytes, issued = generate(
        case, "reply.denied.enforcement_file", by=world.office, on=ON, fmt="pdf"
    )
    assert issued.format == "pdf"
    for text in (docx_text, pdf_text(pdf_bytes)):
        assert REASON in text
        assert "第十六条第二款" in text
        assert "向某某市人民政府申请行政复议" in text
        assert "向某某市某某区人民法院提起行政诉讼" in text
        assert "收到您提出的政府信息公开申请" in text
        assert "。，" not in text and "。。" not in text


def test_an_organisation_is_addressed_as_the_unit(world):
    case = make_case(
        world.agency,
        world.registrar,
        applicant_type=ApplicantType.COMMERCIAL,
        applicant_name="某某科技有限公司",
    )
    text = text_of(generate(case, "receipt", by=world.office, on=ON)[0])
    assert "收到贵单位提出的" in text and "您" not in text


def test_no_reply_while_the_letterhead_names_no_remedy_bodies(world):
    Letterhead.objects.filter(agency=world.agency).update(court="")
    case = workflow.approve(denial(world), by=world.leader, on=ON)
    with pytest.raises(LetterError, match="管辖人民法院") as refused:
        generate(case, "reply.denied.enforcement_file", by=world.office, on=ON)
    where = reverse("letters:letterhead", args=[world.agency.code])
    assert where in str(refused.value)
    with pytest.raises(workflow.WorkflowError, match="文书设置"):
        workflow.reply(case, by=world.office, on=ON)
    assert Case.objects.get(pk=case.pk).status == Status.APPROVED
    page = client_for(world.office).get(reverse("cases:detail", args=[case.tracking_number]))
    assert "尚未填写管辖人民法院" in page.content.decode() and where in page.content.decode()


def test_a_provisional_deadline_is_never_stated_as_firm(world):
    case = make_case(world.agency, world.registrar)
    Case.objects.filter(pk=case.pk).update(due_provisional=True)
    case = workflow.approve_extension(
        Case.objects.get(pk=case.pk), by=world.office_head, on=D("2024-03-05"), reason="档案较多"
    )
    Case.objects.filter(pk=case.pk).update(due_provisional=True)
    case = Case.objects.get(pk=case.pk)
    text = text_of(generate(case, "extension", by=world.office, on=ON)[0])
    assert "答复期限延长至" in text and "（暂定：" in text


# ---- the case's own text -----------------------------------------------------------------


def test_edit_before_approval_is_what_is_approved_and_sent(world):
    case = denial(world)
    services.save_text(
        case,
        by=world.handler,
        title="政府信息公开申请答复书",
        body=services.reply_text(case).body.replace("特此告知。", "特此告知（已核对）。"),
    )
    case = workflow.approve(case, by=world.leader, on=ON)
    text = services.reply_text(case)
    assert (text.version, text.approved, text.awaiting_approval) == (1, 1, False)
    letter = text_of(generate(case, "reply.denied.enforcement_file", by=world.office, on=ON)[0])
    assert "特此告知（已核对）。" in letter and REASON in letter


def test_editing_after_approval_needs_approval_again_and_the_approved_text_is_sent(world):
    case = workflow.approve(denial(world), by=world.leader, on=ON)
    assert services.reply_text(case).approved == 1  # the drafted text, kept as version 1
    body = services.reply_text(case).body.replace(REASON, "改写后的理由。")
    services.save_text(case, by=world.handler, title="政府信息公开申请答复书", body=body)
    text = services.reply_text(case)
    assert text.awaiting_approval and (text.version, text.approved) == (2, 1)
    letter = text_of(generate(case, "reply.denied.enforcement_file", by=world.office, on=ON)[0])
    assert REASON in letter and "改写后的理由" not in letter  # the approved text
    with pytest.raises(workflow.WorkflowError, match="须经审批后才能答复"):
        workflow.reply(case, by=world.office, on=ON)
    with pytest.raises(LetterError, match="分管领导"):
        services.approve_text(case, by=world.office_head)  # a denial: the leader
    services.approve_text(case, by=world.leader)
    case = workflow.reply(case, by=world.office, on=ON)
    letter = text_of(generate(case, "reply.denied.enforcement_file", by=world.office, on=ON)[0])
    assert "改写后的理由" in letter
    kinds = list(LetterEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["approve_text", "save_text", "approve_text"]
    assert LetterText.objects.filter(case=case).count() == 2
    with pytest.raises(LetterError, match="答复之前"):
        services.save_text(case, by=world.handler, title="x", body="{救济途径}")


def test_bad_text_is_refused_and_nothing_saved(world):
    case = denial(world)
    with pytest.raises(LetterError, match="请填写正文"):
        services.save_text(case, by=world.handler, title="答复书", body="  ")
    with pytest.raises(LetterError, match="救济途径"):
        services.save_text(case, by=world.handler, title="答复书", body="没有救济途径的正文")
    with pytest.raises(LetterError, match="承办部门或政务公开办"):
        services.save_text(case, by=world.legal_reviewer, title="答复书", body="{救济途径}")
    assert not LetterText.objects.exists() and not LetterEvent.objects.exists()


def test_a_new_draft_starts_again_from_the_template(world):
    case = denial(world)
    services.save_text(case, by=world.handler, title="答复书", body="旧文本\n{救济途径}")
    case = workflow.return_for_revision(case, by=world.leader, on=ON, comments="理由不充分")
    case = workflow.draft_decision(
        Case.objects.get(pk=case.pk),
        by=world.handler,
        outcome="denied.enforcement_file",
        legal_basis="条例第十六条第二款",
        reasons="新的理由。",
        on=ON,
    )
    text = services.reply_text(case)
    assert text.version == 0 and "新的理由。" in text.body and "旧文本" not in text.body


def test_reply_text_page_per_role(world):
    case = denial(world)
    url = reverse("letters:reply_text", args=[case.tracking_number])
    for role in CASEWORK_ROLES:
        assert client_for(getattr(world, role)).get(url).status_code == 200, role
    for user in (world.other_handler, world.info_officer, User.objects.create_user("nobody")):
        assert client_for(user).get(url).status_code == 404
    body = services.reply_text(case).body + "\n补充说明。"
    refused = client_for(world.legal_reviewer).post(url, {"title": "答复书", "body": body})
    assert refused.status_code == 400 and "承办部门或政务公开办" in refused.content.decode()
    saved = client_for(world.handler).post(url, {"title": "答复书", "body": body, "note": "补充"})
    assert saved.status_code == 302
    assert LetterText.objects.get().body.endswith("补充说明。")


# ---- the 受理回执 with its 查询码, and a lost code re-issued --------------------------------


def paper_case(world):
    return make_case(world.agency, world.registrar, channel=Channel.IN_PERSON)


def test_the_receipt_printed_at_registration_carries_the_query_code(world):
    case = paper_case(world)
    url = reverse("letters:receipt", args=[case.tracking_number])
    client = client_for(world.registrar)
    page = client.post(url, {"query_code": case.query_code, "format": "html"})
    assert page.status_code == 200 and case.query_code in page.content.decode()
    assert page["Cache-Control"].startswith("private, no-store")
    data = client.post(url, {"query_code": case.query_code, "format": "docx"}).content
    assert f"查询码{case.query_code}" in text_of(data)
    data = client.post(url, {"query_code": case.query_code, "format": "pdf"}).content
    assert case.query_code in pdf_text(data)
    wrong = client.post(url, {"query_code": "AAAAAAAAAA", "format": "docx"})
    assert wrong.status_code == 302
    later = text_of(generate(case, "receipt", by=world.office, on=ON)[0])
    assert case.query_code not in later and "如遗失" in later
    assert client.get(url).status_code == 405  # the code never travels in a URL


def test_a_lost_code_is_reissued_by_the_office_and_the_old_one_stops_working(world):
    case = paper_case(world)
    old = case.query_code
    url = reverse("letters:reissue_code", args=[case.tracking_number])
    refused = client_for(world.handler).post(url, {"reason": "遗失"})
    assert refused.status_code == 404  # the handler does not act on an unassigned case
    refused = client_for(world.legal_reviewer).post(url, {"reason": "遗失"})
    assert refused.status_code == 302
    assert not LetterEvent.objects.exists()
    empty = client_for(world.office).post(url, {"reason": " "})
    assert empty.status_code == 302 and not LetterEvent.objects.exists()
    for role in ("registrar", "office"):
        response = client_for(getattr(world, role)).post(url, {"reason": "申请人遗失查询码"})
        assert response.status_code == 200, role
        new = response.context["query_code"]
        case = Case.objects.get(pk=case.pk)
        assert case.check_query_code(new) and not case.check_query_code(old)
        assert new in response.content.decode()
        old = new
    events = LetterEvent.objects.filter(case=case, kind="reissue_query_code")
    assert [e.actor for e in events] == [world.registrar, world.office]
    assert all(old not in str(e.data) for e in events)
    stranger = make_user(make_agency(), Role.OFFICE)
    assert client_for(stranger).post(url, {"reason": "x"}).status_code == 404
