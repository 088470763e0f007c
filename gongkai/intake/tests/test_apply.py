"""The application form: a case lands in casework as 网络 / 待确认, with its receipt."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.attachments.models import AttachmentEvent, CaseAttachment
from gongkai.cases.models import Case, CaseEvent, EventKind, Status
from gongkai.intake import challenge, views
from gongkai.intake.forms import ApplicationForm
from gongkai.intake.models import SubmissionToken

from .conftest import person_data, png_file, solve, solve_question

pytestmark = pytest.mark.django_db
APPLY = "/xxgk/apply/"


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 3, 2))


def test_form_is_public_and_guided_by_article_29(client, world):
    response = client.get(APPLY)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.agency.name in html
    for words in ("一、申请人信息", "二、所需信息", "三、获取信息的方式", "四、身份证明材料"):
        assert f"<legend>{words}</legend>" in html
    assert "名称、文号或者便于查询的其他特征性描述" in html
    assert "自行领取" in html and "法律服务机构" in html
    assert "验证题：" in html and "等于多少？" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_agency_chosen_by_setting_or_query(client, world, settings):
    from gongkai.agencies.tests.factories import make_agency

    other = make_agency(name="另一个区公安分局", code="LYQ")
    assert world.agency.name in client.get(APPLY).content.decode()
    settings.PORTAL_AGENCY_CODE = "LYQ"
    assert other.name in client.get(APPLY).content.decode()
    assert world.agency.name in client.get(APPLY + "?agency=SFGAJ").content.decode()
    response = client.get(APPLY + "?agency=NOPE")
    assert response.status_code == 404


def test_person_applies_with_upload_and_gets_a_receipt(client, world):
    data = person_data()
    data["identity_file"] = png_file()
    response = client.post(APPLY, data)
    assert response.status_code == 303
    assert response["Location"] == reverse("intake:receipt")

    case = Case.objects.get()
    assert case.channel == "online"
    assert case.status == Status.AWAITING_CONFIRMATION
    assert case.received_on is None and case.due_on is None
    assert case.submitted_on == dt.date(2026, 3, 2)
    assert case.applicant_name == "张三"
    assert case.applicant_id_document == "居民身份证：11010519491231002X"
    assert case.applicant_contact == "电话：13800138000；电子邮箱：zhangsan@example.com"
    assert case.tracking_number.startswith("SFGAJ-2026-")
    event = CaseEvent.objects.get(case=case)
    assert event.kind == EventKind.SUBMIT and event.actor is None

    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.kind == "identity" and attachment.uploaded_by is None
    assert not attachment.visible_to_applicant
    assert AttachmentEvent.objects.filter(attachment=attachment, action="upload").exists()

    page = client.get(response["Location"])
    html = page.content.decode()
    code = page.context["r"]["query_code"]
    assert case.tracking_number in html and code in html
    assert case.check_query_code(code)
    assert "第三十一条" in html and "保存查询码" in html
    assert "身份证.png" in html

    download = client.get(reverse("intake:receipt_download"))
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    text = download.content.decode("utf-8-sig")
    assert f"查询码：{code}" in text and case.tracking_number in text


def test_receipt_can_be_cleared_and_then_is_gone(client, world):
    client.post(APPLY, person_data())
    assert client.get(reverse("intake:receipt")).status_code == 200
    response = client.post(reverse("intake:receipt_done"))
    assert response.status_code == 303
    gone = client.get(reverse("intake:receipt"))
    assert gone.status_code == 404
    assert "请凭已保存的受理编号和查询码" in gone.content.decode()


def test_receipt_expires_after_its_minutes(client, world, monkeypatch):
    client.post(APPLY, person_data())
    later = views.time.time() + views.RECEIPT_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    assert client.get(reverse("intake:receipt")).status_code == 404


def test_the_plain_code_and_details_leave_the_session_after_ten_minutes(client, world, monkeypatch):
    """Issue 13 #5: the plain 查询码 and the applicant's details stayed in the session
    (stored on the server) for the session's 14 days."""
    start = 1_772_409_600.0  # 2026-03-02 08:00 Beijing time
    monkeypatch.setattr(views.time, "time", lambda: start)
    client.post(APPLY, person_data())
    session = client.session
    assert session[views.RECEIPT_KEY]["until"] == start + 600
    assert session.get_expiry_age() == 600  # the applicant's session itself ends then
    assert client.get(reverse("intake:receipt")).status_code == 200

    monkeypatch.setattr(views.time, "time", lambda: start + 9 * 60)
    assert client.get(reverse("intake:receipt")).status_code == 200
    monkeypatch.setattr(views.time, "time", lambda: start + 10 * 60 + 1)
    assert client.get("/xxgk/track/").status_code == 200
    assert views.RECEIPT_KEY not in client.session
    assert "张三" not in str(dict(client.session.items()))


def test_same_form_posted_twice_gives_the_same_receipt_and_one_case(client, world):
    data = person_data()
    first = client.post(APPLY, data)
    receipt_one = client.get(first["Location"]).context["r"]
    second = client.post(APPLY, data)
    assert second.status_code == 303
    receipt_two = client.get(second["Location"]).context["r"]
    assert Case.objects.count() == 1
    assert SubmissionToken.objects.count() == 1
    assert receipt_two["tracking_number"] == receipt_one["tracking_number"]
    assert receipt_two["query_code"] == receipt_one["query_code"]
    assert receipt_two["repeated"] is True
    assert "申请没有重复提交" in client.get(second["Location"]).content.decode()


def test_a_new_form_makes_a_new_case(client, world):
    client.post(APPLY, person_data())
    client.post(APPLY, person_data())
    assert Case.objects.count() == 2


def test_organisation_must_upload_proof(client, world):
    data = person_data(
        applicant_type="legal_service",
        person_name="",
        id_number="",
        id_type="",
        org_name="某某律师事务所",
        org_code="31110000E00017891P",
        org_agent="李四",
        org_representative="王五",
    )
    response = client.post(APPLY, data)
    assert response.status_code == 400
    assert "法人或其他组织请上传营业执照" in response.content.decode()
    assert Case.objects.count() == 0

    data = {**data, "challenge_token": (ch := challenge.issue("SFGAJ")).token}
    data["challenge_answer"] = solve(ch.token)
    data["identity_file"] = png_file("执业许可证.png")
    assert client.post(APPLY, data).status_code == 303
    case = Case.objects.get()
    assert case.applicant_type == "legal_service"
    assert case.applicant_name == "某某律师事务所"
    assert case.applicant_id_document == "统一社会信用代码：31110000E00017891P"
    assert case.applicant_contact.startswith("法定代表人或负责人：王五；联系人：李四；电话：")


def test_errors_are_chinese_linked_and_summarised(client, world):
    data = person_data(id_number="110105194912310021", phone="", email="", content="")
    data.pop("declaration")
    response = client.post(APPLY, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary" role="alert" tabindex="-1" autofocus' in html
    assert "有 4 处需要修改" in html
    assert 'href="#id_id_number"' in html
    assert 'aria-describedby="id_id_number_helptext id_id_number_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_id_number_error"' in html and "校验位" in html
    assert "请至少填写联系电话或电子邮箱中的一项" in html
    assert "请描述您需要的政府信息" in html
    assert "请阅读并勾选承诺" in html
    # What was typed is kept; the answer is asked again with a new question.
    assert 'value="张三"' in html
    assert response.context["challenge"].token != data["challenge_token"]
    assert Case.objects.count() == 0


def test_mail_needs_an_address(client, world):
    response = client.post(APPLY, person_data(form_wanted="mail", address=""))
    assert response.status_code == 400
    assert "您选择了“邮寄”，请填写通信地址" in response.content.decode()


def test_other_documents_are_accepted_without_checksum(client, world):
    data = person_data(id_type="护照", id_number="E12345678")
    assert client.post(APPLY, data).status_code == 303
    assert Case.objects.get().applicant_id_document == "护照：E12345678"


def test_retired_business_type_is_refused(client, world):
    response = client.post(APPLY, person_data(business_type="nonsense"))
    assert response.status_code == 400
    assert "请从列表中选择业务类别" in response.content.decode()


def test_form_works_without_javascript_both_groups_visible(client, world):
    html = client.get(APPLY).content.decode()
    assert 'id="group-person"' in html and 'id="group-org"' in html
    assert " hidden" not in html.split('id="group-person"')[1][:5]
    assert "novalidate" in html


def test_same_form_after_its_token_expired_still_gives_the_receipt(client, world, monkeypatch):
    data = person_data()
    first = client.get(client.post(APPLY, data)["Location"]).context["r"]
    later = challenge.now() + challenge.max_age() + 60
    monkeypatch.setattr(challenge, "now", lambda: later)
    again = client.post(APPLY, data)
    assert again.status_code == 303
    assert client.get(again["Location"]).context["r"]["query_code"] == first["query_code"]
    assert Case.objects.count() == 1


class CountingCache:
    """The cache, counting the reads of each key."""

    def __init__(self, real):
        self.real, self.reads = real, []

    def get(self, key, *args, **kwargs):
        self.reads.append(key)
        return self.real.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_an_application_reads_the_business_types_once(client, world, monkeypatch):
    """The form checks the type and Case.clean checks it again: one read of the cache."""
    from gongkai.cases import models as case_models

    counting = CountingCache(case_models.cache)
    monkeypatch.setattr(case_models, "cache", counting)
    assert client.post(APPLY, person_data()).status_code == 303
    assert counting.reads.count(case_models.BusinessType.CACHE_KEY) == 1
    assert client.post(APPLY, person_data()).status_code == 303  # the next request reads anew
    assert counting.reads.count(case_models.BusinessType.CACHE_KEY) == 2


def test_a_type_retired_between_two_applications_is_refused_in_the_second(client, world):
    from gongkai.cases.models import BusinessType

    assert client.post(APPLY, person_data()).status_code == 303
    BusinessType.objects.create(code="traffic", name="交管", active=False)
    response = client.post(APPLY, person_data())
    assert response.status_code == 400
    assert "请从列表中选择业务类别" in response.content.decode()
    assert Case.objects.count() == 1


# ---- the blank form's page (kept a minute per process, views._blank_page) ------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _anonymous_get(path=APPLY):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().get(path)
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    request.resolver_match = resolve(path)
    return request


def test_the_kept_blank_page_is_the_page_the_template_gives(world, monkeypatch):
    fixed = challenge.issue("SFGAJ")
    monkeypatch.setattr(challenge, "issue", lambda code: fixed)
    views._blank.clear()
    for _ in range(2):  # rendered, then from the kept copy
        kept = views._blank_page(_anonymous_get(), world.agency).content.decode()
        rendered = views._form_page(_anonymous_get(), world.agency, ApplicationForm())
        rendered = rendered.content.decode()
        assert CSRF_FIELD.sub("", kept) == CSRF_FIELD.sub("", rendered)
        assert fixed.token in kept and fixed.question in kept and "gongkaislot" not in kept


def test_every_visitor_gets_a_new_challenge_and_a_working_csrf_token(world):
    questions, tokens = set(), set()
    for _ in range(8):
        client = Client(enforce_csrf_checks=True)
        page = client.get(APPLY).content.decode()
        token = re.search(r'name="challenge_token" value="([^"]+)"', page)[1]
        question = re.search(r'class="challenge-question">([^<]+)<', page)[1]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        tokens.add(token)
        questions.add(question)
        data = person_data(
            csrfmiddlewaretoken=csrf,
            challenge_token=token,
            challenge_answer=solve_question(question),
        )
        assert client.post(APPLY, data).status_code == 303
    assert len(tokens) == 8 and len(questions) > 1
    assert Case.objects.count() == 8


def test_a_renamed_agency_shows_at_once_on_the_blank_form(client, world):
    assert "示范市公安局" in client.get(APPLY).content.decode()
    world.agency.name = "示范市公安局（新名称）"
    world.agency.save()
    assert "示范市公安局（新名称）" in client.get(APPLY).content.decode()


def test_a_signed_in_user_and_a_message_get_the_page_rendered_for_them(client, world):
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    client.get(APPLY)  # the anonymous page is kept
    client.force_login(world.registrar)
    html = client.get(APPLY).content.decode()
    assert world.registrar.get_username() in html and "退出" in html
    client.logout()
    storage = CookieStorage(_anonymous_get())
    value = storage._encode([Message(20, "您已退出登录。")])
    client.cookies[storage.cookie_name] = value
    assert "您已退出登录。" in client.get(APPLY).content.decode()
