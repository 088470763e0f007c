"""The library's test world: a platform agency (公安部) over a directory of provincial,
city and county public-security bureaus (the seeds' agencies), users of every role,
and the seed reports."""

import copy
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from gongkai.agencies.models import Agency, Department, Membership, Role
from gongkai.library import directory
from gongkai.reports import engine
from gongkai.reports.render import render

HERE = Path(__file__).parent
DIRECTORY = HERE / "testdata" / "directory.csv"
SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt")) or sorted(
    (HERE.parent.parent / "reports" / "tests" / "testdata").glob("*.txt")
)
TESTDATA = sorted((HERE.parent.parent / "reports" / "tests" / "testdata").glob("*.txt"))
LINXIA = TESTDATA[3]  # 临夏州公安局 2023, 2021 format, no findings
SONGXIAN = TESTDATA[4]  # 嵩县公安局 2020


def linxia_with_error():
    """临夏 2023 as text with one misprinted cell (表三 一、本年新收 自然人 1 → 2): two
    checker errors (T3-BALANCE, T3-ROW-TOTAL), fixed by correcting that cell back to 1."""
    report = engine.analyse_file(LINXIA)
    report["requests"]["new"]["natural_person"] += 1
    return render(report, "txt")


def fail_second_batch(monkeypatch):
    """Uploads stored a file a batch, and the second batch's checks fail (storage away);
    returns the way to put the real checks back."""
    from gongkai.library import collecting, review

    monkeypatch.setattr(collecting, "UPLOAD_BATCH", 1)
    real, calls = review.refresh_all, []

    def refresh_all(reports, user):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("存储暂时不可用")
        return real(reports, user)

    monkeypatch.setattr(review, "refresh_all", refresh_all)
    return lambda: monkeypatch.setattr(review, "refresh_all", real)


def songxian_misprinted():
    """嵩县 2020 with its name misprinted by one character (嵩县公按局)."""
    return SONGXIAN.read_bytes().replace("嵩县公安局".encode(), "嵩县公按局".encode())


_READ = {}


@pytest.fixture
def remembered_reads(monkeypatch):
    """The sandbox's outcome for a file read once is remembered for the session (by
    content and name), so that the permission matrix does not fork a reader for every
    file of every test. The sandbox itself is exercised in test_collecting."""
    from gongkai.library import collecting
    from gongkai.reports import sandbox

    real = sandbox.run

    def run(data, *, filename=None, **kwargs):
        key = (hashlib.sha256(data).hexdigest(), filename)
        if key not in _READ:
            _READ[key] = real(data, filename=filename, **kwargs)
        return copy.deepcopy(_READ[key])

    monkeypatch.setattr(collecting.sandbox, "run", run)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db, django_user_model):
    mps = Agency.objects.create(name="公安部", code="mps")
    haining = Agency.objects.create(name="海宁市公安局", code="hngaj", parent=mps)
    directory.import_file(DIRECTORY, DIRECTORY.name)
    dept = Department.objects.create(agency=mps, name="办公厅")
    w = SimpleNamespace(mps=mps, haining=haining)

    def user(name, agency=None, role=None, perm=None):
        u = django_user_model.objects.create_user(name)  # no password: force_login
        if role:
            Membership.objects.create(
                user=u,
                agency=agency,
                role=role,
                department=dept if role == Role.HANDLER else None,
            )
        if perm:
            u.user_permissions.add(Permission.objects.get(codename=perm))
        setattr(w, name, u)
        return u

    user("office", mps, Role.OFFICE)
    user("leader", mps, Role.LEADER)
    user("handler", mps, Role.HANDLER)
    user("registrar", mps, Role.REGISTRAR)
    user("county", haining, Role.OFFICE)
    user("researcher", perm="research")
    user("keeper", perm="manage_directory")
    user("outsider")
    return w


def linxia_2022():
    """A 2022 report of 临夏 (printed under its full name) that 2023 does not follow:
    it carries 3 applications of 自然人 forward (2023 carried over 0) and has 5
    规范性文件 in force (2023: 5 + 1 issued − 0 repealed should be 6, it prints 1)."""
    report = engine.analyse_file(LINXIA)
    report["year"] = 2022
    report["agency"] = "临夏回族自治州公安局"
    requests = report["requests"]
    requests["new"]["natural_person"] = requests["new"]["total"] = 4
    requests["carry_forward"]["natural_person"] = requests["carry_forward"]["total"] = 3
    report["proactive"]["normative_documents"]["in_force"] = 5
    return render(report, "txt")
