"""Letter pages: download per role, the PDF branch, template and letterhead editing."""

import datetime as dt
import io

import docx
import pdfplumber
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import CASEWORK_ROLES, PERSONAL_DATA_ROLES, Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.cases.models import CaseEvent, EventKind
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters import views
from gongkai.letters.models import Letterhead, LetterIssued, LetterTemplate

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: D("2024-03-20"))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(world):
    return run_to(
        make_case(world.agency, world.registrar, applicant_name="李雷"), world, "approved"
    )


def url(case, key, **query):
    base = reverse("letters:download", args=[case.tracking_number, key])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def settings_url(world, name="letters:settings", *args):
    return reverse(name, args=[world.agency.code, *args])


def test_every_role_acting_on_the_case_downloads_the_reply_everyone_else_gets_404(world, case):
    for role in sorted(CASEWORK_ROLES):  # an 信息员 reaches no case
        response = client_for(getattr(world, role)).get(url(case, "reply.granted"))
        assert response.status_code == 200, role
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''" in response["Content-Disposition"]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
        name = "李雷" if role in PERSONAL_DATA_ROLES else "李*"
        assert name in text and case.tracking_number in text
        assert LetterIssued.objects.last().by == getattr(world, role)
    others = {
        "handler of another department": world.other_handler,
        "user without membership": User.objects.create_user("nobody"),
        "office of another agency": make_user(make_agency(), Role.OFFICE),
        "信息员": world.info_officer,
    }
    for who, user in others.items():
        assert client_for(user).get(url(case, "reply.granted")).status_code == 404, who
    assert LetterIssued.objects.count() == len(CASEWORK_ROLES)


def _letter_text(response):
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


@pytest.mark.parametrize("role", sorted(CASEWORK_ROLES - PERSONAL_DATA_ROLES))
def test_roles_that_see_the_applicant_masked_get_a_masked_letter(world, case, role):
    """Issue 13 #3: a letter download gave the full name to roles that see "李*"."""
    response = client_for(getattr(world, role)).get(url(case, "reply.granted"))
    text = _letter_text(response)
    assert "李*" in text and "李雷" not in text
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.VIEW_APPLICANT).exists()


@pytest.mark.parametrize("role", sorted(PERSONAL_DATA_ROLES))
def test_a_full_letter_is_recorded_as_a_view_of_personal_data(world, case, role):
    user = getattr(world, role)
    response = client_for(user).get(url(case, "reply.granted"))
    assert "李雷" in _letter_text(response)
    view = CaseEvent.objects.get(case=case, kind=EventKind.VIEW_APPLICANT)
    assert view.actor == user
    assert view.data == {"on": "2024-03-20", "what": "letter", "letter": "reply.granted"}


def test_unknown_or_unavailable_letters_are_404(world, case):
    client = client_for(world.office)
    assert client.get(url(case, "nonsense")).status_code == 404
    assert client.get(url(case, "reply.partial")).status_code == 404  # not this case's outcome
    assert client.get(url(case, "extension")).status_code == 404  # never extended


def test_the_pdf_is_laid_out_with_the_chinese_text(world, case):
    response = client_for(world.office).get(url(case, "receipt", format="pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(response.content)) as document:
        text = "".join(page.extract_text() for page in document.pages).replace("\n", "")
    assert "政府信息公开申请受理回执" in text and "李雷" in text
    assert LetterIssued.objects.get().format == "pdf"


def test_the_case_page_lists_the_letters_for_its_state(world, case):
    page = client_for(world.handler).get(reverse("cases:detail", args=[case.tracking_number]))
    html = page.content.decode()
    assert 'id="letters"' in html
    assert url(case, "receipt") in html and url(case, "reply.granted") in html
    assert url(case, "correction") not in html
    assert "修改文书模板" not in html  # a handler does not edit templates
    office = client_for(world.office).get(reverse("cases:detail", args=[case.tracking_number]))
    assert settings_url(world) in office.content.decode()


# ---- settings pages --------------------------------------------------------------------


def test_settings_are_for_the_office_and_admin_only(world):
    assert client_for(world.office).get(settings_url(world)).status_code == 200
    assert client_for(world.admin).get(settings_url(world)).status_code == 200
    response = client_for(world.handler).get(settings_url(world))
    assert response.status_code == 403
    assert "只有本机关的政务公开办" in response.content.decode()
    other = make_user(make_agency(), Role.OFFICE)
    assert client_for(other).get(settings_url(world)).status_code == 404
    index = client_for(world.office).get(reverse("letters:settings_index"))
    assert index.status_code == 302 and index["Location"] == settings_url(world)
    assert client_for(world.handler).get(reverse("letters:settings_index")).status_code == 403


def test_preview_then_save_then_history(world):
    client = client_for(world.office)
    edit = settings_url(world, "letters:template", "receipt")
    body = "{申请人}：\n我局已收到您的申请，编号{受理编号}。"
    response = client.post(edit, {"title": "受理回执", "body": body, "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "我局已收到您的申请，编号GA-2026-00012。" in html  # the example values
    assert not LetterTemplate.objects.exists()
    response = client.post(
        edit, {"title": "受理回执", "body": body, "note": "简化", "action": "save"}, follow=True
    )
    assert "已保存为第 1 版" in response.content.decode()
    client.post(edit, {"title": "受理回执", "body": body + "\n特此回执。", "action": "save"})
    assert list(LetterTemplate.objects.values_list("version", flat=True)) == [2, 1]
    page = client.get(edit).content.decode()
    assert "第 2 版" in page and "第 1 版" in page and "简化" in page
    old = client.get(edit + "?version=1")
    assert old.context["form"].initial["body"] == body
    client.post(edit, {"action": "default"})
    assert LetterTemplate.objects.get(version=3).note == "恢复默认文本"


def test_broken_templates_are_refused_with_the_allowed_placeholders(world):
    response = client_for(world.office).post(
        settings_url(world, "letters:template", "receipt"),
        {"title": "回执", "body": "{申请人：\n{经办人}", "action": "save"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "没有对应的“}”" in html
    assert "未知的占位符：{经办人}" in html and "可用的占位符有：{申请人}" in html
    assert not LetterTemplate.objects.exists()


def test_unknown_template_kinds_and_versions_are_404(world):
    client = client_for(world.office)
    assert client.get(settings_url(world, "letters:template", "nope")).status_code == 404
    edit = settings_url(world, "letters:template", "receipt")
    assert client.get(edit + "?version=9").status_code == 404
    assert client.get(edit + "?version=x").status_code == 404
    assert client.get(edit + "?version=0").status_code == 200


def test_letterhead_form(world):
    client = client_for(world.office)
    form_url = settings_url(world, "letters:letterhead")
    data = {
        "full_name": "某某市公安局",
        "number_prefix": "某公开〔{year}〕{x}",
        "signature": "某某市公安局",
        "postcode": "12ab",
    }
    response = client.post(form_url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "只能使用“{year}”" in html and "邮编应为6位数字" in html
    data.update(number_prefix="某公开〔{year}〕", postcode="100000")
    assert client.post(form_url, data).status_code == 302
    head = Letterhead.objects.get()
    assert head.number(2026, 7) == "某公开〔2026〕7号" and head.updated_by == world.office
