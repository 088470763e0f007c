"""`gongkai export --agency CODE`: one agency's rows as JSON and CSV with its files."""

import csv
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.attachments.services import attach
from gongkai.attachments.tests import files
from gongkai.cases.tests.conftest import national_calendar, world  # noqa: F401
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_export_has_the_agency_s_rows_and_files_and_nothing_of_another(world, media, tmp_path):  # noqa: F811
    case = run_to(
        make_case(world.agency, world.registrar, applicant_name="李四"), world, "assigned"
    )
    pdf = SimpleUploadedFile("申请书.pdf", files.PDF, content_type="application/pdf")
    row = attach(case, pdf, kind="application", by=world.registrar)
    other = make_agency(name="邻市公安局", code="LSGAJ")
    stranger = make_user(other, Role.REGISTRAR, username="stranger")
    make_case(other, stranger, applicant_name="王五")

    out = tmp_path / "export"
    call_command("export", "--agency", world.agency.code, "-o", str(out), verbosity=0)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["agency"]["code"] == world.agency.code
    assert manifest["rows"]["cases.case"] == 1 and manifest["rows"]["cases.caseevent"] >= 1
    assert manifest["rows"]["attachments.caseattachment"] == 1

    cases = json.loads((out / "data" / "cases.case.json").read_text(encoding="utf-8"))
    assert [c["fields"]["applicant_name"] for c in cases] == ["李四"]
    with open(out / "data" / "cases.case.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["applicant_name"] for r in table] == ["李四"]
    assert table[0]["tracking_number"] == case.tracking_number

    users = json.loads((out / "data" / "auth.user.json").read_text(encoding="utf-8"))
    names = {u["fields"]["username"] for u in users}
    assert world.registrar.username in names and "stranger" not in names
    assert all("password" not in u["fields"] for u in users)
    table = (out / "data" / "auth.user.csv").read_text(encoding="utf-8-sig")
    assert world.registrar.password and world.registrar.password not in table

    copied = out / "files" / row.stored_path
    assert copied.read_bytes() == files.PDF
    assert manifest["files"][row.stored_path] == hashlib.sha256(files.PDF).hexdigest()
    assert "王五" not in "".join(
        p.read_text(encoding="utf-8-sig") for p in (out / "data").iterdir()
    )
    assert "原始文件" in (out / "README.txt").read_text(encoding="utf-8")


def test_export_refuses_an_unknown_agency_or_a_used_directory(world, tmp_path):  # noqa: F811
    with pytest.raises(CommandError, match="机关代码“NOPE”不存在"):
        call_command("export", "--agency", "NOPE", "-o", str(tmp_path / "x"))
    used = tmp_path / "used"
    used.mkdir()
    (used / "something").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("export", "--agency", world.agency.code, "-o", str(used))


def test_handler_of_another_department_is_exported_too(world, tmp_path):  # noqa: F811
    dept = make_department(world.agency, name="交警支队")
    make_user(world.agency, Role.HANDLER, department=dept, username="traffic")
    out = tmp_path / "e"
    call_command("export", "--agency", world.agency.code, "-o", str(out), verbosity=0)
    users = json.loads((out / "data" / "auth.user.json").read_text(encoding="utf-8"))
    assert "traffic" in {u["fields"]["username"] for u in users}
