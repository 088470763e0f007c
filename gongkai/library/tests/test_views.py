"""年报库 pages: who may see and do what (a test per role per view), and the web flows."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai.library import collecting
from gongkai.library.models import LibraryAgency, LibraryReport, Review, Status

from .conftest import DIRECTORY, SEEDS, fail_second_batch, linxia_with_error, songxian_misprinted

# Who may do what. View: the grid and a report; edit: import, queue, assign, review,
# correct, re-check. The 公安部 office reaches every agency below it; the 海宁 office
# only 海宁; a researcher reads everything; the rest nothing.
VIEWERS = {"office", "leader", "county", "researcher"}
EDITORS = {"office", "county"}
ROLES = ["office", "leader", "handler", "registrar", "county", "researcher", "keeper", "outsider"]


@pytest.fixture(autouse=True)
def _fast(remembered_reads):
    pass


@pytest.fixture
def filed(world):
    """The seeds, imported by the 公安部 office; a report with errors (临夏) and a queued
    one (嵩县, misprinted)."""
    office = LibraryAgency.objects.get(platform=world.mps)
    files = [(p.name, p.read_bytes()) for p in SEEDS[:3]]
    files += [("临夏.txt", linxia_with_error()), ("嵩县.txt", songxian_misprinted())]
    collecting.collect(files, user=world.office, collector=office)
    world.linxia = LibraryReport.objects.get(agency__name="临夏回族自治州公安局")
    world.haining_report = LibraryReport.objects.get(agency__name="海宁市公安局")
    world.queued = LibraryReport.objects.get(status=Status.QUEUED)
    return world


def as_user(client, world, name):
    if name != "anonymous":
        client.force_login(getattr(world, name))
    return client


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_index_per_role(client, filed, role):
    response = as_user(client, filed, role).get(reverse("library:index"))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == (200 if role in VIEWERS else 403)
    if role in VIEWERS:
        text = response.content.decode()
        assert "海宁市公安局" in text
        assert ("广东省公安厅" in text) == (role != "county")  # the county office: itself only


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_report_detail_per_role(client, filed, role):
    url = reverse("library:report", args=[filed.linxia.pk])
    response = as_user(client, filed, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        return
    # 临夏 is not under 海宁: the county office may not read it.
    assert response.status_code == (200 if role in VIEWERS - {"county"} else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert "表三勾稽关系" in text
        assert ("核实理由" in text) == (role in EDITORS)  # review actions for editors only


@pytest.mark.parametrize("role", ["office", "county", "leader", "researcher", "outsider"])
def test_original_download_per_role(client, filed, role):
    response = as_user(client, filed, role).get(
        reverse("library:original", args=[filed.haining_report.pk])
    )
    assert response.status_code == (200 if role in VIEWERS else 403)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == SEEDS[0].read_bytes()


@pytest.fixture
def replaced(filed):
    """临夏's report as sent (with an error), a cell corrected (version 2), then replaced
    by the corrected file (version 3): two originals."""
    from gongkai.library import review, versions

    from .conftest import LINXIA

    review.correct(filed.linxia, "requests.new/natural_person", 1, "与原文核对", filed.office)
    filed.linxia = versions.replace(
        LibraryReport.objects.get(pk=filed.linxia.pk),
        "临夏更正.txt",
        LINXIA.read_bytes(),
        "按整改要求更正表三",
        filed.office,
    )
    filed.first = filed.linxia.superseded.get()
    return filed


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_earlier_original_download_per_role(client, replaced, role):
    """Whoever reads the report downloads its earlier original, streamed; the county
    office (海宁 only) and the roles without the library may not."""
    url = reverse("library:original_old", args=[replaced.linxia.pk, replaced.first.pk])
    response = as_user(client, replaced, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == (200 if role in VIEWERS - {"county"} else 403)
    if response.status_code == 200:
        assert response.streaming
        assert b"".join(response.streaming_content) == linxia_with_error()
        assert "attachment" in response["Content-Disposition"]
        assert "%E4%B8%B4%E5%A4%8F.txt" in response["Content-Disposition"]  # 临夏.txt


def test_an_earlier_original_only_under_its_own_report(client, replaced):
    client.force_login(replaced.office)
    url = reverse("library:original_old", args=[replaced.haining_report.pk, replaced.first.pk])
    assert client.get(url).status_code == 404
    # The county office reads 海宁 but not 临夏: 海宁's address does not open 临夏's file.
    client.force_login(replaced.county)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["office", "leader", "researcher"])
def test_report_page_lists_every_original(client, replaced, role):
    text = (
        as_user(client, replaced, role)
        .get(reverse("library:report", args=[replaced.linxia.pk]))
        .content.decode()
    )
    assert "各版本的原件" in text
    first = reverse("library:original_old", args=[replaced.linxia.pk, replaced.first.pk])
    assert (
        f'href="{first}"' in text
        and f'href="{reverse("library:original", args=[replaced.linxia.pk])}"' in text
    )
    # Version, when, who and why of each file: the first came with the import at
    # version 1, the corrected one at version 3 with the reason given.
    assert "第 1 版" in text and "收集入库" in text
    assert "第 3 版（1 处单元格更正、更换 1 次原件）" in text  # was "含 2 处人工更正"
    assert "第 3 版（当前）" in text and "按整改要求更正表三" in text and "临夏更正.txt" in text


def test_versions_files_in_order(replaced):
    from gongkai.library import versions

    files = versions.files(replaced.linxia)
    assert [(f.filename, f.since, f.current) for f in files] == [
        ("临夏.txt", 1, False),
        ("临夏更正.txt", 3, True),
    ]
    assert files[0].by == replaced.office and files[1].reason == "按整改要求更正表三"
    assert files[0].sha256 == replaced.first.sha256


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_queue_per_role(client, filed, role):
    response = as_user(client, filed, role).get(reverse("library:queue"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if role in EDITORS else 403)
    if role == "office":
        assert "嵩县公按局" in response.content.decode()
    if role == "county":  # collected by 公安部's office: not the county's to assign
        assert "嵩县公按局" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_assign_per_role(client, filed, role):
    songxian = LibraryAgency.objects.get(name="嵩县公安局")
    response = as_user(client, filed, role).post(
        reverse("library:assign", args=[filed.queued.pk]),
        {"agency": songxian.pk, "year": "2020"},
    )
    filed.queued.refresh_from_db()
    if role == "office":
        assert response.status_code == 302
        assert (filed.queued.status, filed.queued.agency) == (Status.FILED, songxian)
    else:
        assert response.status_code == 403
        assert filed.queued.status == Status.QUEUED


def test_assign_is_limited_to_agencies_reached(client, filed):
    """The 海宁 office cannot file a report it reaches under an agency it does not."""
    client.force_login(filed.county)
    report = collecting.collect(
        [("x.txt", songxian_misprinted() + b" ")],
        user=filed.county,
        collector=LibraryAgency.objects.get(name="海宁市公安局"),
    )[0].report
    far = LibraryAgency.objects.get(name="嵩县公安局")
    client.post(reverse("library:assign", args=[report.pk]), {"agency": far.pk, "year": "2020"})
    report.refresh_from_db()
    assert report.status == Status.QUEUED


@pytest.mark.parametrize("role", ROLES)
def test_review_per_role(client, filed, role):
    finding = filed.linxia.findings.get(rule="T3-BALANCE")
    response = as_user(client, filed, role).post(
        reverse("library:review", args=[finding.pk]), {"state": "confirmed", "reason": "核对无误"}
    )
    finding.refresh_from_db()
    if role == "office":
        assert response.status_code == 302
        assert (finding.state, finding.decided_by) == (Review.CONFIRMED, filed.office)
    else:
        assert response.status_code == 403  # the county office does not reach 临夏 either
        assert finding.state == Review.PENDING


@pytest.mark.parametrize("role", ["office", "leader", "researcher", "county", "outsider"])
def test_correct_per_role(client, filed, role):
    url = reverse("library:correct", args=[filed.linxia.pk])
    form = {"where": "requests.new/natural_person", "value": "1", "reason": "原文为 1"}
    response = as_user(client, filed, role).post(url, form)
    filed.linxia.refresh_from_db()
    if role == "office":
        assert response.status_code == 302
        assert filed.linxia.version == 2 and filed.linxia.error_count == 0
        page = client.get(reverse("library:report", args=[filed.linxia.pk])).content.decode()
        assert "第 2 版" in page and "原文为 1" in page
    else:
        assert response.status_code == 403
        assert filed.linxia.version == 1


@pytest.mark.parametrize("role", ["office", "leader", "researcher", "outsider"])
def test_recheck_per_role(client, filed, role):
    response = as_user(client, filed, role).post(reverse("library:recheck", args=[filed.linxia.pk]))
    assert response.status_code == (302 if role == "office" else 403)


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_import_page_per_role(client, world, role):
    response = as_user(client, world, role).get(reverse("library:import"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if role in EDITORS | {"keeper"} else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert ("上传年报文件" in text) == (role in EDITORS)
        assert ("导入机关名录" in text) == (role == "keeper")


def _upload(client, files):
    """Post `files` on the upload page and do the job as the worker does; the job's page."""
    from gongkai.library.models import UploadJob

    response = client.post(reverse("library:import"), {"files": files})
    job = UploadJob.objects.latest("id")
    assert response.status_code == 302
    assert response.url == reverse("library:upload_job", args=[job.pk])
    # Queued, not read within the request: the page shows its progress.
    assert (job.state, job.done) == ("queued", 0)
    page = client.get(response.url, {"format": "json"}).json()
    assert page["finished"] is False and page["total"] == job.total
    collecting.run_upload(job)  # what the worker does (tasks.upload_job)
    return job, client.get(response.url)


def test_web_upload_of_files_and_a_zip_then_again(client, world):
    from django.core.files.storage import default_storage

    client.force_login(world.office)
    upload = [
        SimpleUploadedFile(SEEDS[0].name, SEEDS[0].read_bytes()),
        SimpleUploadedFile(
            "两份.zip", _zip({"临夏.txt": linxia_with_error(), "嵩县.txt": songxian_misprinted()})
        ),
    ]
    job, response = _upload(client, upload)
    text = response.content.decode()
    assert response.status_code == 200
    assert (job.state, job.done, job.total) == ("done", 3, 3)  # a zip counts its members
    assert text.count("已归档") >= 2 and "待指定" in text
    assert LibraryReport.objects.count() == 3
    # The uploaded copies are gone from storage; the originals are kept with the reports.
    assert not any(default_storage.exists(f["path"]) for f in job.files)
    _job, again = _upload(client, [SimpleUploadedFile("副本.txt", SEEDS[0].read_bytes())])
    assert "已在库中，未改动" in again.content.decode()
    assert LibraryReport.objects.count() == 3
    # The upload page lists the uploads.
    assert (
        reverse("library:upload_job", args=[job.pk])
        in client.get(reverse("library:import")).content.decode()
    )


def test_leader_may_not_upload(client, world):
    client.force_login(world.leader)
    response = client.post(
        reverse("library:import"),
        {"files": [SimpleUploadedFile(SEEDS[0].name, SEEDS[0].read_bytes())]},
    )
    assert response.status_code == 403
    assert not LibraryReport.objects.exists()
    from gongkai.library.models import UploadJob

    assert not UploadJob.objects.exists()


@pytest.mark.parametrize("role", ["keeper", "office", "researcher", "outsider"])
def test_directory_import_per_role(client, world, role):
    client.force_login(getattr(world, role))
    csv = "机关名称,上级机关\n新设县公安局,洛阳市公安局\n".encode()
    response = client.post(
        reverse("library:import_directory"), {"file": SimpleUploadedFile("名录.csv", csv)}
    )
    created = LibraryAgency.objects.filter(name="新设县公安局").exists()
    assert (response.status_code, created) == ((302, True) if role == "keeper" else (403, False))


def test_directory_errors_are_listed_on_the_page(client, world):
    client.force_login(world.keeper)
    csv = "机关名称,上级机关\n甲县公安局,不存在的市公安局\n".encode()
    response = client.post(
        reverse("library:import_directory"), {"file": SimpleUploadedFile("名录.csv", csv)}
    )
    assert response.status_code == 400
    assert "第 2 行" in response.content.decode()
    assert DIRECTORY.exists()


def test_empty_library_explains_what_to_do(client, db, django_user_model):
    from gongkai.agencies.models import Agency, Membership, Role

    agency = Agency.objects.create(name="某县人民政府办公室", code="x")
    user = django_user_model.objects.create_user("solo")
    Membership.objects.create(user=user, agency=agency, role=Role.OFFICE)
    client.force_login(user)
    text = client.get(reverse("library:index")).content.decode()
    assert "还没有收集到年度报告" in text and "上传年报文件或 zip 压缩包" in text
    queue = client.get(reverse("library:queue")).content.decode()
    assert "没有待指定机关的报告" in queue


@pytest.mark.parametrize("role", ["office", "county", "leader"])
def test_a_possible_duplicate_on_the_queue_page_taken_as_a_new_version(client, filed, role):
    """A second file of 临夏 2023 waits in the queue beside the filed report; the office
    that reaches 临夏 takes it as that report's new version."""
    from gongkai.library.tests.conftest import LINXIA

    office = LibraryAgency.objects.get(platform=filed.mps)
    second = collecting.collect([("临夏重发.txt", LINXIA.read_bytes())], user=filed.office,
                                collector=office)[0].report  # fmt: skip
    client = as_user(client, filed, role)
    page = client.get(reverse("library:queue"))
    if role == "office":
        text = page.content.decode()
        assert "同一机关同一年度已有一份不同的报告" in text
        assert "作为已归档报告的新版本" in text
        assert reverse("library:report", args=[filed.linxia.pk]) in text
    response = client.post(reverse("library:adopt", args=[second.pk]), {"reason": "重新发布"})
    filed.linxia.refresh_from_db()
    if role == "office":
        assert response.url == reverse("library:report", args=[filed.linxia.pk])
        assert (filed.linxia.version, filed.linxia.filename) == (2, "临夏重发.txt")
        assert not LibraryReport.objects.filter(pk=second.pk).exists()
    else:
        assert response.status_code in (403, 404)
        assert filed.linxia.version == 1 and LibraryReport.objects.filter(pk=second.pk).exists()


def _uploaded_by_the_office(client, world):
    """One seed uploaded by the 公安部 office (not yet run): its UploadJob."""
    from gongkai.library.models import UploadJob

    client.force_login(world.office)
    client.post(
        reverse("library:import"),
        {"files": [SimpleUploadedFile(SEEDS[0].name, SEEDS[0].read_bytes())]},
    )
    client.logout()
    return UploadJob.objects.get()


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_an_upload_job_page_per_role(client, world, role):
    """Only the uploading office sees its upload's progress and results; another editing
    office (the county's) is told there is no such upload."""

    job = _uploaded_by_the_office(client, world)
    url = reverse("library:upload_job", args=[job.pk])
    response = as_user(client, world, role).get(url)
    expected = {"anonymous": 302, "office": 200, "county": 404}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        assert '已处理 <span id="job-done">0</span> / <span id="job-total">1</span>' in (
            response.content.decode()
        )


def test_the_queue_preselects_only_a_nearly_identical_name(client, world):
    """A one-character misprint (嵩县公按局) has its agency chosen in advance; a name that
    only shares 县公安局 is offered among the nearest but left for the person to choose."""
    other = songxian_misprinted().replace("嵩县公按局".encode(), "某某县公安局".encode())
    collecting.collect(
        [("嵩县.txt", songxian_misprinted()), ("某某县.txt", other)], user=world.office
    )
    client.force_login(world.office)
    page = client.get(reverse("library:queue")).content.decode()
    misprint, weak = page.split('id="queued-')[1:3]
    assert "selected>嵩县公安局（名称相似 95%）" in misprint
    assert "名称最接近的机关" in weak and "selected>" not in weak


def _twins(office, years):
    """A filed report and a queued possible duplicate of 临夏 for each of `years` (rows
    only: the queue page reads no file)."""
    linxia = LibraryAgency.objects.get(name="临夏回族自治州公安局")
    for year in years:
        for status in (Status.FILED, Status.QUEUED):
            LibraryReport.objects.create(
                sha256=f"{status}-{year}".ljust(64, "0"),
                original=f"library/{status}-{year}.txt",
                filename=f"临夏{year}-{status}.txt",
                size=1,
                status=status,
                agency=linxia,
                year=year,
                collector=office,
                match_note=collecting.DUPLICATE,
            )


def test_the_queue_page_asks_a_fixed_number_of_queries(client, world):
    """Each possible duplicate is shown beside its filed twin, and the page asks the
    database the same number of queries for a queue of 1 and of 20."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = LibraryAgency.objects.get(platform=world.mps)
    client.force_login(world.office)
    client.get(reverse("library:queue"))  # the session and the directory's links, once

    def queries(expected):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("library:queue")).content.decode()
        assert page.count("作为已归档报告的新版本") == expected
        for twin in LibraryReport.objects.filter(status=Status.FILED):
            assert reverse("library:report", args=[twin.pk]) in page
        return len(captured)

    _twins(office, [2000])
    one = queries(1)
    _twins(office, range(2001, 2020))
    assert queries(20) == one


def _failed_upload(client, world, monkeypatch):
    """Three files uploaded by the 公安部 office, one a batch, and the job run from the
    task queue as the worker runs it; the second batch fails (the first is stored)."""
    from django_tasks_db.models import DBTaskResult

    from gongkai.library.models import UploadJob

    restore = fail_second_batch(monkeypatch)
    client.force_login(world.office)
    files = [SimpleUploadedFile(SEEDS[0].name, SEEDS[0].read_bytes()),
             SimpleUploadedFile("临夏.txt", linxia_with_error()),
             SimpleUploadedFile(SEEDS[1].name, SEEDS[1].read_bytes())]  # fmt: skip
    client.post(reverse("library:import"), {"files": files})
    job = UploadJob.objects.get()
    [queued] = DBTaskResult.objects.filter(args_kwargs__args=[job.pk])
    with pytest.raises(OSError):
        queued.task.call(job.pk)  # what the worker does
    restore()
    job.refresh_from_db()
    assert (job.state, job.error) == (job.State.FAILED, "存储暂时不可用")
    client.logout()
    return job


def test_a_failed_upload_re_run_is_done_with_its_results(client, world, monkeypatch):
    from django.core.files.storage import default_storage
    from django_tasks_db.models import DBTaskResult

    from gongkai.library.models import LibraryEvent

    office = LibraryAgency.objects.get(platform=world.mps)
    [known] = collecting.collect([("早先.txt", SEEDS[1].read_bytes())], user=world.office,
                                 collector=office)  # fmt: skip
    job = _failed_upload(client, world, monkeypatch)
    assert LibraryReport.objects.count() == 2  # the first batch was stored
    first = LibraryReport.objects.exclude(pk=known.report.pk).get()
    client.force_login(world.office)
    url = reverse("library:upload_job", args=[job.pk])
    page = client.get(url).content.decode()
    assert "处理中出错：存储暂时不可用" in page and "重新运行" in page
    assert client.get(reverse("library:rerun_upload_job", args=[job.pk])).status_code == 405

    response = client.post(reverse("library:rerun_upload_job", args=[job.pk]), follow=True)
    assert "已重新排队" in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.done, job.error, job.finished_at) == ("queued", 0, "", None)
    event = LibraryEvent.objects.get(kind="rerun_upload")
    assert event.actor == world.office and event.report is None
    assert (event.data["job"], event.data["error"]) == (job.pk, "存储暂时不可用")
    # Queued again on the same task as a new upload; the worker runs it.
    runs = list(DBTaskResult.objects.filter(args_kwargs__args=[job.pk]))
    assert [r.task_path for r in runs] == ["gongkai.library.tasks.upload_job"] * 2
    runs[-1].task.call(*runs[-1].args_kwargs["args"])  # what the worker does

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    # Every file's outcome: the one the failed run stored as stored then, the one in
    # the library before the upload as such.
    results = [(r["file"], r["result"], r["id"]) for r in job.results]
    assert results[0] == (SEEDS[0].name, "filed", first.pk)
    assert "出错的那次运行中已收集入库" in job.results[0]["message"]
    assert results[1][1] == "filed"
    assert results[2] == (SEEDS[1].name, "same", known.report.pk)
    assert LibraryReport.objects.count() == 3
    assert not any(default_storage.exists(f["path"]) for f in job.files)
    page = client.get(url).content.decode()
    assert "本次收集结果" in page and "已在库中，未改动" in page
    assert reverse("library:rerun_upload_job", args=[job.pk]) not in page


def test_a_re_run_brings_missing_reports_up_to_date(client, world, monkeypatch):
    """A run that failed after storing every file (in REPORT-MISSING) finds them all in
    the library when re-run, and still brings REPORT-MISSING up to date."""
    from gongkai.library import crosscheck
    from gongkai.library.models import ReviewedFinding, UploadJob

    real = crosscheck.refresh_missing

    def broken(today=None):
        raise OSError("数据库连接中断")

    monkeypatch.setattr(crosscheck, "refresh_missing", broken)
    client.force_login(world.office)
    upload = [SimpleUploadedFile("临夏.txt", linxia_with_error())]
    client.post(reverse("library:import"), {"files": upload})
    job = UploadJob.objects.get()
    with pytest.raises(OSError):
        collecting.run_upload(job)
    monkeypatch.setattr(crosscheck, "refresh_missing", real)
    missing = ReviewedFinding.objects.filter(rule="REPORT-MISSING")
    assert LibraryReport.objects.count() == 1 and not missing.exists()
    client.post(reverse("library:rerun_upload_job", args=[job.pk]))
    collecting.run_upload(UploadJob.objects.get())
    job.refresh_from_db()
    assert job.state == "done" and [r["result"] for r in job.results] == ["filed"]
    assert missing.exists()


def test_only_a_failed_upload_is_re_run(client, world, monkeypatch):
    """A finished upload, or one being read, is refused in Chinese and left as it is."""
    from django_tasks_db.models import DBTaskResult

    from gongkai.library.models import LibraryEvent, UploadJob

    job = _failed_upload(client, world, monkeypatch)
    client.force_login(world.office)
    url = reverse("library:rerun_upload_job", args=[job.pk])
    for state, words in [("done", "已经完成，不能重新运行"), ("running", "正在读取和检查中"),
                         ("queued", "正在排队")]:  # fmt: skip
        UploadJob.objects.filter(pk=job.pk).update(state=state)
        page = client.post(url, follow=True).content.decode()
        assert words in page
        job.refresh_from_db()
        assert job.state == state and job.error == "存储暂时不可用"
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1
    assert not LibraryEvent.objects.filter(kind="rerun_upload").exists()


def test_a_failed_upload_whose_files_are_gone_is_not_re_run(client, world, monkeypatch):
    from django.core.files.storage import default_storage

    job = _failed_upload(client, world, monkeypatch)
    default_storage.delete(job.files[1]["path"])
    client.force_login(world.office)
    page = client.post(reverse("library:rerun_upload_job", args=[job.pk]), follow=True)
    assert "上传的文件已不在服务器上，无法重新运行，请重新上传：临夏.txt" in page.content.decode()
    job.refresh_from_db()
    assert job.state == job.State.FAILED


def test_an_upload_left_running_by_a_dead_worker_is_failed_and_can_be_re_run(client, world):
    """kill -9 of the worker in the middle of an upload: the next pass of the worker's
    scheduler (ops.tasks.recover_interrupted) marks it failed with the reason, with its
    queue entry, and the office re-runs it; a job of a live worker is left alone."""
    import socket
    import subprocess

    from django_tasks_db.models import DBTaskResult

    from gongkai.library.models import UploadJob
    from gongkai.ops import tasks

    client.force_login(world.office)
    for name in ("a.txt", "b.txt"):
        upload = SimpleUploadedFile(name, SEEDS[0].read_bytes())
        client.post(reverse("library:import"), {"files": [upload]})
    dead, alive = UploadJob.objects.order_by("pk")
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid of this machine that is no longer running
    # Claimed by a worker (as run_claimed does), then the worker is killed.
    UploadJob.objects.filter(pk=dead.pk).update(
        state="running", worker=f"{socket.gethostname()}:{gone.pid}"
    )
    UploadJob.objects.filter(pk=alive.pk).update(state="running", worker=tasks.worker_id())
    DBTaskResult.objects.update(status="RUNNING")
    # A scheduled run with the same number is another task's entry: not touched.
    tasks.enqueue_notice_mail()
    DBTaskResult.objects.filter(task_path=tasks.send_notice_mail.module_path).update(
        status="RUNNING", args_kwargs={"args": [dead.pk], "kwargs": {}}
    )

    tasks.recover_interrupted()
    dead.refresh_from_db()
    assert dead.state == "failed" and dead.finished_at is not None
    assert "运行中断" in dead.error and "可以在此重新运行" in dead.error
    assert UploadJob.objects.get(pk=alive.pk).state == "running"
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert [(r.task_path, r.args_kwargs["args"]) for r in failed] == [
        ("gongkai.library.tasks.upload_job", [dead.pk])
    ]
    page = client.get(reverse("library:upload_job", args=[dead.pk])).content.decode()
    assert "运行中断" in page and "重新运行" in page
    response = client.post(reverse("library:rerun_upload_job", args=[dead.pk]), follow=True)
    assert "已重新排队" in response.content.decode()


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_re_running_a_failed_upload_per_role(client, world, role):
    """As its page: only the uploading office re-runs its failed upload; another editing
    office (the county's) is told there is no such upload; the rest may not."""
    from gongkai.library.models import LibraryEvent, UploadJob

    job = _uploaded_by_the_office(client, world)
    UploadJob.objects.filter(pk=job.pk).update(state=UploadJob.State.FAILED, error="出错")
    response = as_user(client, world, role).post(reverse("library:rerun_upload_job", args=[job.pk]))
    expected = {"anonymous": 302, "office": 302, "county": 404}.get(role, 403)
    assert response.status_code == expected
    job.refresh_from_db()
    if role == "office":
        assert response.url == reverse("library:upload_job", args=[job.pk])
        assert job.state == UploadJob.State.QUEUED
        assert LibraryEvent.objects.filter(kind="rerun_upload", actor=world.office).exists()
    else:
        assert job.state == UploadJob.State.FAILED
        assert not LibraryEvent.objects.filter(kind="rerun_upload").exists()
        if role == "anonymous":
            assert "/accounts/login/" in response["Location"]
