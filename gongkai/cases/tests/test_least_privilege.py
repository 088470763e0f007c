"""Least privilege (issue 13, finding 2): each role reaches only what its work needs.

The 信息员 drafts 主动公开 items; it reaches no 依申请公开 case — not the case page, the
list, the applicant's ID scan and other attachments, the letters, nor the upload form.
Every casework role of the agency reaches all of them (a handler: its own department).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import CASEWORK_ROLES, PERSONAL_DATA_ROLES, Role
from gongkai.attachments.models import CaseAttachment
from gongkai.attachments.services import attach
from gongkai.attachments.tests import files
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters.models import LetterIssued

CASEWORK = sorted(CASEWORK_ROLES)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def case(world):
    return run_to(make_case(world.agency, world.registrar), world, "approved")


@pytest.fixture
def id_scan(world, case):
    upload = SimpleUploadedFile("身份证明.pdf", files.PDF)
    return attach(case, upload, kind="identity", by=world.registrar)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def reaches(client, case, id_scan):
    """{object type: status code} for one user."""
    upload = SimpleUploadedFile("材料.pdf", files.PDF)
    return {
        "case page": client.get(reverse("cases:detail", args=[case.tracking_number])).status_code,
        "case list": client.get(reverse("cases:list")).status_code,
        "dashboard": client.get(reverse("cases:dashboard")).status_code,
        "attachment": client.get(reverse("attachments:download", args=[id_scan.pk])).status_code,
        "letter": client.get(
            reverse("letters:download", args=[case.tracking_number, "reply.granted"])
        ).status_code,
        "upload": client.post(
            reverse("attachments:upload", args=[case.tracking_number]),
            {"file": upload, "kind": "other"},
        ).status_code,
    }


@pytest.mark.parametrize("role", CASEWORK)
def test_each_casework_role_reaches_the_case_its_files_and_letters(world, case, id_scan, role):
    user = getattr(world, role)
    got = reaches(client_for(user), case, id_scan)
    assert got == {
        "case page": 200,
        "case list": 200,
        "dashboard": 200,
        # The ID scan only for the roles that see personal data in full (issue 13 #3).
        "attachment": 200 if role in PERSONAL_DATA_ROLES else 403,
        "letter": 200,
        "upload": 302,
    }, role
    assert CaseAttachment.objects.filter(uploaded_by=user, original_name="材料.pdf").count() == 1


def test_the_info_officer_reaches_no_case_attachment_letter_or_upload(world, case, id_scan):
    client = client_for(world.info_officer)
    got = reaches(client, case, id_scan)
    assert got == {
        "case page": 403,
        "case list": 403,
        "dashboard": 403,
        "attachment": 404,
        "letter": 404,
        "upload": 404,
    }
    assert CaseAttachment.objects.count() == 1  # only the registrar's ID scan
    assert not LetterIssued.objects.filter(by=world.info_officer).exists()
    page = client.get(reverse("cases:list")).content.decode()
    assert "信息员" in page and "不办理依申请公开的申请" in page
    assert case.applicant_name not in page


def test_the_info_officer_still_reaches_its_own_work(world):
    """主动公开 stays open to the 信息员: the item list and the drafting form."""
    client = client_for(world.info_officer)
    assert client.get(reverse("publications:list")).status_code == 200
    assert client.get(reverse("publications:create")).status_code == 200


def test_a_handler_reaches_only_its_department(world, case, id_scan):
    got = reaches(client_for(world.other_handler), case, id_scan)
    assert got["case page"] == got["attachment"] == got["letter"] == got["upload"] == 404
    assert Role.HANDLER in CASEWORK_ROLES and Role.INFO_OFFICER not in CASEWORK_ROLES
