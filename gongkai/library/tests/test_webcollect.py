"""Collecting from web addresses, against a local web server serving saved pages
(testdata/web: a 政府信息公开年报 list page, an HTML report page, a page whose report is
a Word attachment, a page robots.txt disallows)."""

import http.server
import io
import json
import threading
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongkai.library import webcollect
from gongkai.library.models import CollectJob, LibraryAgency, LibraryReport, Status

WEB = Path(__file__).parent / "testdata" / "web"
DOCX = next((WEB / "files").glob("*.docx"))
ROLES = ["office", "leader", "handler", "registrar", "county", "researcher", "keeper", "outsider"]


@pytest.fixture(autouse=True)
def _fast(remembered_reads):
    pass


class Handler(http.server.SimpleHTTPRequestHandler):
    seen = []  # (path, User-Agent)
    crawl_delay = None  # a robots.txt that asks for a Crawl-delay (seconds)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(WEB), **kwargs)

    def do_GET(self):
        Handler.seen.append((self.path, self.headers.get("User-Agent")))
        if self.path == "/robots.txt" and Handler.crawl_delay:
            body = f"User-agent: *\nCrawl-delay: {Handler.crawl_delay}\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/xxgk/ndbg/202401/t20240118_5521.html")
            self.end_headers()
            return
        if self.path == "/moved-inside":  # to the same machine under a name not allowed
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def web(settings, server):
    settings.LIBRARY_FETCH_ALLOW_HOSTS = ["127.0.0.1"]  # the test server: a private address
    settings.LIBRARY_FETCH_DELAY = 0.2
    Handler.seen.clear()
    Handler.crawl_delay = None
    return server


def fetcher(waits=None):
    """A fetcher whose waits between requests are recorded instead of slept."""
    waits = [] if waits is None else waits
    return webcollect.Fetcher(sleep=waits.append)


def test_a_list_page_is_followed_to_its_reports_and_their_attachments(world, web):
    office = LibraryAgency.objects.get(platform=world.mps)
    waits = []
    outcomes = webcollect.collect_urls(
        [web + "/xxgk/ndbg/index.html"], user=world.office, collector=office, fetcher=fetcher(waits)
    )
    got = {o.url.removeprefix(web): (o.result, o.message) for o in outcomes}
    assert got["/xxgk/ndbg/index.html"][0] == "list"
    assert got["/xxgk/ndbg/202401/t20240118_5521.html"][0] == "filed"
    assert got["/xxgk/ndbg/202101/t20210125_3310.html"][0] == "list"  # the page of an attachment
    docx_url = next(u for u in got if u.endswith(".docx"))
    assert got[docx_url][0] == "filed"
    assert got["/private/t20200120_1.html"] == (
        "failed",
        f"该网站的 robots.txt 不允许抓取此网址：{web}/private/t20200120_1.html",
    )
    assert not any("zn/index" in u or "about" in u for u in got)  # not report links
    # robots.txt first, our User-Agent on every request, and a pause between requests.
    assert Handler.seen[0][0] == "/robots.txt"
    assert {ua for _p, ua in Handler.seen} == {webcollect.USER_AGENT}
    assert "/private/t20200120_1.html" not in [p for p, _ua in Handler.seen]
    # (a request that follows a slower step, e.g. reading a report, needs no pause)
    assert 1 <= len(waits) < len(Handler.seen) and all(0 < w <= 0.2 for w in waits)
    waits.clear()
    f = fetcher(waits)
    f.fetch(web + "/robots.txt")  # robots.txt, then robots.txt again: at once after it
    assert len(waits) == 1 and waits[0] > 0.15
    # Filed, with the address and the time; the originals kept byte for byte.
    linxia = LibraryReport.objects.get(agency__name="临夏回族自治州公安局")
    assert (linxia.year, linxia.status) == (2023, Status.FILED)
    assert linxia.url == web + "/xxgk/ndbg/202401/t20240118_5521.html"
    assert linxia.fetched_at is not None and linxia.filename == "t20240118_5521.html"
    songxian = LibraryReport.objects.get(agency__name="嵩县公安局")
    assert songxian.filename == DOCX.name and songxian.year == 2020
    with default_storage.open(songxian.original.name, "rb") as kept:
        assert kept.read() == DOCX.read_bytes()


def test_a_sites_crawl_delay_is_obeyed(web):
    Handler.crawl_delay = 3
    waits = []
    f = fetcher(waits)
    f.fetch(web + "/xxgk/ndbg/index.html")
    assert len(waits) == 1 and 2.9 < waits[0] <= 3  # after robots.txt, its 3 s, not our 0.2


def test_fetching_the_same_content_again_changes_nothing(world, web):
    url = web + "/xxgk/ndbg/index.html"
    webcollect.collect_urls([url], fetcher=fetcher())
    before = list(LibraryReport.objects.values_list("pk", "sha256", "url", "fetched_at"))
    again = webcollect.collect_urls([url], fetcher=fetcher())
    assert sorted(o.result for o in again if o.result not in ("list", "failed")) == ["same"] * 2
    assert list(LibraryReport.objects.values_list("pk", "sha256", "url", "fetched_at")) == before


def test_redirects_are_followed_and_checked(world, web):
    [outcome] = webcollect.collect_urls([web + "/moved"], fetcher=fetcher())
    assert outcome.result == "filed"  # recorded at the address the file came from
    assert LibraryReport.objects.get().url == web + "/xxgk/ndbg/202401/t20240118_5521.html"
    # Every hop is checked: a redirect into the internal network is refused.
    [refused] = webcollect.collect_urls([web + "/moved-inside"], fetcher=fetcher())
    assert refused.result == "failed" and "指向内部网络地址" in refused.message


def test_only_http_public_addresses_within_limits(settings, web):
    settings.LIBRARY_FETCH_ALLOW_HOSTS = []
    f = fetcher()
    for url, words in [
        ("file:///etc/passwd", "只能抓取 http 或 https 网址"),
        ("ftp://example.gov.cn/a.pdf", "只能抓取 http 或 https 网址"),
        (web + "/robots.txt", "指向内部网络地址（127.0.0.1），为安全起见不予抓取"),
        ("http://10.0.0.8/xxgk/", "指向内部网络地址（10.0.0.8）"),
        ("http://[::1]/", "指向内部网络地址（::1）"),
    ]:
        with pytest.raises(
            webcollect.FetchError, match=words.replace("（", ".").replace("）", ".")
        ):
            f.fetch(url)
    assert Handler.seen == []  # nothing was asked of the server
    settings.LIBRARY_FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    small = webcollect.Fetcher(max_bytes=4096, sleep=lambda s: None)
    with pytest.raises(webcollect.FetchError, match="文件超过"):
        small.fetch(web + "/xxgk/ndbg/202401/t20240118_5521.html")
    with pytest.raises(webcollect.FetchError, match="网站返回错误 404"):
        fetcher().fetch(web + "/xxgk/none.html")


def test_cli_collect(world, web, settings):
    settings.LIBRARY_FETCH_DELAY = 0
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:  # the robots.txt refusal: exit status 1
        call_command("library", "collect", web + "/xxgk/ndbg/index.html", "--json", stdout=out)
    assert failed.value.returncode == 1
    rows = json.loads(out.getvalue())
    assert [r["result"] for r in rows].count("filed") == 2
    assert all(r["fetched_at"] for r in rows if r["result"] == "filed")


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_collect_web_page_per_role(client, world, web, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = reverse("library:collect_web")
    page = client.get(url)
    posted = client.post(url, {"urls": web + "/xxgk/ndbg/index.html"})
    if role == "anonymous":
        assert page.status_code == posted.status_code == 302
        assert not CollectJob.objects.exists()
        return
    allowed = role in {"office", "county"}
    assert page.status_code == (200 if allowed else 403)
    assert posted.status_code == (302 if allowed else 403)
    assert CollectJob.objects.exists() == allowed
    if role != "office":
        return
    from django_tasks_db.models import DBTaskResult

    job = CollectJob.objects.get()
    assert job.state == CollectJob.State.QUEUED and job.requested_by == world.office
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).exists()  # queued
    webcollect.run_job(job, fetcher=fetcher())  # what the worker does
    assert job.state == CollectJob.State.DONE
    text = client.get(url).content.decode()
    assert "已归档" in text and "t20240118_5521.html" in text and "robots.txt 不允许" in text


def test_collect_web_form_refuses_bad_addresses(client, world):
    client.force_login(world.office)
    url = reverse("library:collect_web")
    for urls, words in [
        ("", "请填写至少一个网址"),
        (
            "javascript:alert(1)\nhttp://example.gov.cn/",
            "不是 http 或 https 网址：javascript:alert(1)",
        ),
        ("\n".join(f"http://example.gov.cn/{i}" for i in range(51)), "一次最多收集 50 个网址"),
    ]:
        response = client.post(url, {"urls": urls})
        assert response.status_code == 400
        assert words in response.content.decode()
    assert not CollectJob.objects.exists()


def _failed_collect(client, world, web, monkeypatch):
    """A web-collecting job of the office whose run failed (its storage gave way)."""
    client.force_login(world.office)
    client.post(reverse("library:collect_web"), {"urls": web + "/xxgk/ndbg/index.html"})
    job = CollectJob.objects.get()

    def broken(*args, **kwargs):
        raise OSError("存储暂时不可用")

    with monkeypatch.context() as patched:
        patched.setattr(webcollect, "collect_urls", broken)
        with pytest.raises(OSError):
            webcollect.run_job(job, fetcher=fetcher())
    job.refresh_from_db()
    assert job.state == CollectJob.State.FAILED
    client.logout()
    return job


def test_a_failed_collect_job_is_re_run(client, world, web, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from gongkai.library.models import LibraryEvent

    job = _failed_collect(client, world, web, monkeypatch)
    client.force_login(world.office)
    url = reverse("library:collect_web")
    rerun = reverse("library:rerun_collect_job", args=[job.pk])
    page = client.get(url).content.decode()
    assert "存储暂时不可用" in page and rerun in page and "重新运行" in page
    assert client.get(rerun).status_code == 405

    page = client.post(rerun, follow=True).content.decode()
    assert "已重新排队，将再次抓取这项任务的全部网址" in page
    job.refresh_from_db()
    assert (job.state, job.error, job.finished_at, job.results) == ("queued", "", None, [])
    event = LibraryEvent.objects.get(kind="rerun_collect")
    assert event.actor == world.office and event.report is None
    assert (event.data["job"], event.data["error"]) == (job.pk, "存储暂时不可用")
    runs = DBTaskResult.objects.filter(args_kwargs__args=[job.pk])
    assert [r.task_path for r in runs] == ["gongkai.library.tasks.collect_job"] * 2

    webcollect.run_job(job, fetcher=fetcher())  # what the worker does
    assert job.state == CollectJob.State.DONE
    page = client.get(url).content.decode()
    assert "已归档" in page and "t20240118_5521.html" in page and rerun not in page


def test_only_a_failed_collect_job_is_re_run(client, world, web, monkeypatch):
    """A finished job, or one queued or being fetched, is refused in Chinese and left as it is."""
    from gongkai.library.models import LibraryEvent

    job = _failed_collect(client, world, web, monkeypatch)
    client.force_login(world.office)
    rerun = reverse("library:rerun_collect_job", args=[job.pk])
    for state, words in [("done", "已经完成，不能重新运行"), ("running", "正在抓取中"),
                         ("queued", "正在排队")]:  # fmt: skip
        CollectJob.objects.filter(pk=job.pk).update(state=state)
        page = client.post(rerun, follow=True).content.decode()
        assert words in page and rerun not in page
        job.refresh_from_db()
        assert job.state == state and job.error == "存储暂时不可用"
    assert not LibraryEvent.objects.filter(kind="rerun_collect").exists()


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_re_running_a_failed_collect_job_per_role(client, world, role):
    """As the 从网址收集 page: only the office that collects re-runs its failed job;
    another collecting office (the county's) is told there is no such job; the rest may not."""
    from gongkai.library.models import LibraryEvent

    office = LibraryAgency.objects.get(platform=world.mps)
    job = CollectJob.objects.create(
        urls="http://example.gov.cn/", requested_by=world.office, collector=office,
        state=CollectJob.State.FAILED, error="出错",
    )  # fmt: skip
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.post(reverse("library:rerun_collect_job", args=[job.pk]))
    expected = {"anonymous": 302, "office": 302, "county": 404}.get(role, 403)
    assert response.status_code == expected
    job.refresh_from_db()
    if role == "office":
        assert response.url == reverse("library:collect_web")
        assert job.state == CollectJob.State.QUEUED
        assert LibraryEvent.objects.filter(kind="rerun_collect", actor=world.office).exists()
    else:
        assert job.state == CollectJob.State.FAILED
        assert not LibraryEvent.objects.filter(kind="rerun_collect").exists()
        if role == "anonymous":
            assert "/accounts/login/" in response["Location"]
