"""Attachment pages: upload, permissioned download for every role, removal, the applicant."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import CASEWORK_ROLES, PERSONAL_DATA_ROLES, Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.attachments.models import AttachmentEvent, CaseAttachment
from gongkai.attachments.services import attach
from gongkai.attachments.tests import files
from gongkai.cases.models import CaseEvent, EventKind
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(world):
    return run_to(make_case(world.agency, world.registrar), world, "assigned")


@pytest.fixture
def attachment(world, case):
    upload = SimpleUploadedFile("身份证明 扫描件.pdf", files.PDF)
    return attach(case, upload, kind="identity", by=world.registrar)


def upload_url(case):
    return reverse("attachments:upload", args=[case.tracking_number])


def download_url(row):
    return reverse("attachments:download", args=[row.pk])


def test_staff_upload_through_the_case_page_form(world, case):
    client = client_for(world.handler)
    response = client.post(
        upload_url(case),
        {
            "file": SimpleUploadedFile("答复书.pdf", files.PDF),
            "kind": "reply",
            "visible_to_applicant": "on",
        },
        follow=True,
    )
    row = CaseAttachment.objects.get()
    assert (row.original_name, row.kind, row.visible_to_applicant) == ("答复书.pdf", "reply", True)
    assert "已上传附件“答复书.pdf”" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/cases/{case.tracking_number}/#attachments")


def test_a_disguised_upload_is_refused_with_the_reason_on_the_case_page(world, case, media):
    client = client_for(world.office)
    response = client.post(
        upload_url(case),
        {"file": SimpleUploadedFile("申请书.pdf", files.EXE), "kind": "application"},
        follow=True,
    )
    page = response.content.decode()
    assert "Windows 可执行程序" in page and "可接受的文件类型" in page
    assert not CaseAttachment.objects.exists()


def test_an_empty_upload_is_refused_by_the_form(world, case):
    response = client_for(world.office).post(
        upload_url(case),
        {"file": SimpleUploadedFile("a.pdf", b""), "kind": "application"},
        follow=True,
    )
    assert "是空的" in response.content.decode()
    assert not CaseAttachment.objects.exists()


def test_upload_to_a_case_the_user_may_not_act_on_is_404(world, case):
    response = client_for(world.other_handler).post(
        upload_url(case), {"file": SimpleUploadedFile("a.pdf", files.PDF), "kind": "other"}
    )
    assert response.status_code == 404
    assert not CaseAttachment.objects.exists()


def test_every_role_acting_on_the_case_may_download_everyone_else_gets_404(world, attachment):
    for role in sorted(CASEWORK_ROLES):  # an 信息员 reaches no case
        response = client_for(getattr(world, role)).get(download_url(attachment))
        if role not in PERSONAL_DATA_ROLES:  # an ID scan: see the masking test below
            assert response.status_code == 403, role
            continue
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == files.PDF
    others = {
        "handler of another department": world.other_handler,
        "user without membership": User.objects.create_user("nobody"),
        "office of another agency": make_user(make_agency(), Role.OFFICE),
        "信息员": world.info_officer,
    }
    for who, user in others.items():
        assert client_for(user).get(download_url(attachment)).status_code == 404, who
    downloads = AttachmentEvent.objects.filter(attachment=attachment, action="download")
    assert downloads.count() == len(CASEWORK_ROLES & PERSONAL_DATA_ROLES)


@pytest.mark.parametrize("role", sorted(CASEWORK_ROLES - PERSONAL_DATA_ROLES))
def test_roles_that_see_the_applicant_masked_are_refused_the_id_scan(world, case, role):
    """Issue 13 #3: roles that see "张*" downloaded the applicant's ID scan."""
    scan = attach(
        case, SimpleUploadedFile("身份证.pdf", files.PDF), kind="identity", by=world.registrar
    )
    other = attach(
        case, SimpleUploadedFile("征求意见.pdf", files.PDF), kind="other", by=world.office
    )
    client = client_for(getattr(world, role))
    refused = client.get(download_url(scan))
    assert refused.status_code == 403
    assert "不能下载申请人的身份证明材料" in refused.content.decode()
    assert client.get(download_url(other)).status_code == 200
    assert not AttachmentEvent.objects.filter(attachment=scan, action="download").exists()
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert download_url(other) in page and download_url(scan) not in page
    assert not CaseEvent.objects.filter(kind=EventKind.VIEW_APPLICANT).exists()


@pytest.mark.parametrize("role", sorted(PERSONAL_DATA_ROLES))
def test_a_full_download_of_applicant_files_is_recorded_as_a_view(world, case, role):
    user = getattr(world, role)
    scan = attach(
        case, SimpleUploadedFile("身份证.pdf", files.PDF), kind="identity", by=world.registrar
    )
    other = attach(
        case, SimpleUploadedFile("征求意见.pdf", files.PDF), kind="other", by=world.office
    )
    client = client_for(user)
    assert client.get(download_url(scan)).status_code == 200
    assert client.get(download_url(other)).status_code == 200  # no personal data: no view
    views = CaseEvent.objects.filter(case=case, kind=EventKind.VIEW_APPLICANT)
    assert [(v.actor, v.data["what"], v.data["attachment"]) for v in views] == [
        (user, "attachment", scan.pk)
    ]


def test_anonymous_users_are_sent_to_log_in(attachment):
    response = Client().get(download_url(attachment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_download_headers(world, attachment):
    response = client_for(world.office).get(download_url(attachment))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E8%BA%AB%E4%BB%BD" in disposition  # RFC 5987, 身份…
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    event = AttachmentEvent.objects.filter(attachment=attachment).last()
    assert (event.action, event.actor) == ("download", world.office)


def test_removed_attachments_are_404_and_leave_the_list(world, case, attachment):
    client = client_for(world.office)
    client.post(reverse("attachments:remove", args=[attachment.pk]), {"reason": "传错了"})
    assert client.get(download_url(attachment)).status_code == 404
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert "身份证明 扫描件.pdf" not in page
    assert "这件申请还没有附件" in page


def test_removal_without_permission_is_explained(world, attachment):
    response = client_for(world.legal_reviewer).post(
        reverse("attachments:remove", args=[attachment.pk]), {"reason": "x"}, follow=True
    )
    assert "只有政务公开办、系统管理员或上传人可以移除附件" in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.removed_at is None


def test_the_case_page_shows_the_list_and_the_form(world, case, attachment):
    page = client_for(world.office).get(reverse("cases:detail", args=[case.tracking_number]))
    html = page.content.decode()
    assert 'id="attachments"' in html
    assert download_url(attachment) in html
    assert 'enctype="multipart/form-data"' in html
    assert "身份证明" in html


# ---- the applicant --------------------------------------------------------------------


@pytest.fixture
def coded_case(world):
    case = make_case(world.agency, world.registrar)
    code = case.query_code
    return run_to(case, world, "assigned"), code


def test_the_applicant_downloads_visible_files_with_the_query_code(world, coded_case):
    case, code = coded_case
    row = attach(
        case,
        SimpleUploadedFile("答复书.pdf", files.PDF),
        kind="reply",
        by=world.office,
        visible_to_applicant=True,
    )
    url = reverse("attachments:applicant_download", args=[row.pk])
    response = Client().post(
        url, {"tracking_number": case.tracking_number, "query_code": code.lower()}
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    event = AttachmentEvent.objects.filter(attachment=row).last()
    assert (event.action, event.actor) == ("applicant_download", None)


def test_the_applicant_gets_404_for_a_wrong_code_a_hidden_file_or_another_case(world, coded_case):
    case, code = coded_case
    hidden = attach(case, SimpleUploadedFile("内部.pdf", files.PDF), kind="other", by=world.office)
    other = make_case(world.agency, world.registrar)
    foreign = attach(
        other,
        SimpleUploadedFile("x.pdf", files.PDF),
        kind="reply",
        by=world.office,
        visible_to_applicant=True,
    )
    visible = attach(
        case,
        SimpleUploadedFile("y.pdf", files.PDF),
        kind="reply",
        by=world.office,
        visible_to_applicant=True,
    )
    client = Client()

    def post(row, number, query_code):
        url = reverse("attachments:applicant_download", args=[row.pk])
        return client.post(url, {"tracking_number": number, "query_code": query_code})

    assert post(visible, case.tracking_number, "WRONGCODE1").status_code == 404
    assert post(visible, "NOPE-2024-1", code).status_code == 404
    assert post(hidden, case.tracking_number, code).status_code == 404
    assert post(foreign, case.tracking_number, code).status_code == 404
    assert (
        client.get(reverse("attachments:applicant_download", args=[visible.pk])).status_code == 405
    )


def test_the_applicant_download_is_held_to_the_query_limits(world, coded_case, settings):
    """Issue 13 #6: /attachments/applicant/<pk>/ checked codes without any limit."""
    from django.core.cache import cache

    cache.clear()
    settings.INTAKE_RATE_LIMITS_ENABLED = True
    settings.INTAKE_TRACK_RATE_LIMIT = "30/10m"
    settings.INTAKE_TRACK_NUMBER_LIMIT = "3/1h"
    case, code = coded_case
    row = attach(
        case,
        SimpleUploadedFile("答复书.pdf", files.PDF),
        kind="reply",
        by=world.office,
        visible_to_applicant=True,
    )
    url = reverse("attachments:applicant_download", args=[row.pk])
    client = Client()

    def post(query_code, address):
        data = {"tracking_number": case.tracking_number, "query_code": query_code}
        return client.post(url, data, REMOTE_ADDR=address)

    try:
        for i in range(3):
            assert post(f"WRONGCODE{i}", "203.0.113.9").status_code == 404
        refused = post(code, "203.0.113.9")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert "失败的次数过多" in refused.content.decode()
        assert post(code, "198.51.100.7").status_code == 200  # the applicant still can
        # Failures on the 查询 page and here are counted together: one limiter.
        data = {"tracking_number": case.tracking_number, "query_code": "WRONGCODE9"}
        client.post("/xxgk/track/", data, REMOTE_ADDR="192.0.2.1")
        for i in range(2):
            post(f"WRONGCODE{i}", "192.0.2.1")
        assert post(code, "192.0.2.1").status_code == 429
    finally:
        cache.clear()
