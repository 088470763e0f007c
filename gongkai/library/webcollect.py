"""Collecting annual reports from web addresses (issue 19).

Given report pages or list pages (a site's 政府信息公开年报 column), fetch politely and
keep every report through collecting.collect (the engine in its sandbox, the original
kept with its SHA-256: fetching the same content again changes nothing), with the
address and the time it was fetched.

Politeness and safety (settings, with defaults):
- robots.txt of every host is read first and obeyed for our User-Agent
  (LIBRARY_FETCH_USER_AGENT), its Crawl-delay too;
- at least LIBRARY_FETCH_DELAY seconds between two requests to one host;
- only http and https; a response larger than LIBRARY_FETCH_MAX_BYTES is dropped, and
  a request longer than LIBRARY_FETCH_TIMEOUT seconds abandoned;
- a host that resolves to a private, loopback, link-local or reserved address is
  refused unless listed in LIBRARY_FETCH_ALLOW_HOSTS (tests serve pages from 127.0.0.1);
  redirects are followed by hand so each hop is checked. (The name is resolved for the
  check and again by the connection: a host that changes its answer in between, DNS
  rebinding, is not caught.) LIBRARY_FETCH_PROXY: an outgoing proxy, when required.

A page is a report page when its text carries the national template's tables; else its
links whose words or file names speak of an annual report (年度报告 / 年报) are followed,
one level down, plus the attachments (PDF, Word) of the report pages found there.
"""

import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message

from django.conf import settings
from django.utils import timezone

from . import collecting, crosscheck
from .models import CollectJob

USER_AGENT = "gongkai-library/1.0 (annual report collector of an open-government office)"
DELAY = 2.0
TIMEOUT = 20.0
MAX_BYTES = collecting.MAX_FILE_BYTES
MAX_LINKS = 200  # report links followed from one list page
MAX_REDIRECTS = 5
MAX_CRAWL_DELAY = 60.0
REPORT_WORDS = ("年度报告", "年报")
ATTACHMENTS = (".pdf", ".doc", ".docx", ".wps", ".txt")
# Words of the 2019/2021 table 三 that only a report page carries.
REPORT_MARKS = ("收到和处理政府信息公开申请情况", "本年新收政府信息公开申请数量")


class FetchError(Exception):
    """A page not fetched; the message is Chinese."""


def _setting(name, default):
    return getattr(settings, name, default)


@dataclass
class Page:
    url: str
    data: bytes
    content_type: str
    filename: str
    fetched_at: object  # an aware datetime


@dataclass
class Fetcher:
    user_agent: str = field(
        default_factory=lambda: _setting("LIBRARY_FETCH_USER_AGENT", USER_AGENT)
    )
    delay: float = field(default_factory=lambda: float(_setting("LIBRARY_FETCH_DELAY", DELAY)))
    timeout: float = field(
        default_factory=lambda: float(_setting("LIBRARY_FETCH_TIMEOUT", TIMEOUT))
    )
    max_bytes: int = field(
        default_factory=lambda: int(_setting("LIBRARY_FETCH_MAX_BYTES", MAX_BYTES))
    )
    allow_hosts: tuple = field(
        default_factory=lambda: tuple(_setting("LIBRARY_FETCH_ALLOW_HOSTS", ()))
    )
    sleep: object = time.sleep
    _last: dict = field(default_factory=dict)
    _robots: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)  # (url, monotonic time): what was asked

    def __post_init__(self):
        # Only a proxy configured for this purpose (LIBRARY_FETCH_PROXY), never the
        # environment's: the addresses checked are the ones connected to.
        proxy = _setting("LIBRARY_FETCH_PROXY", "")
        proxies = {"http": proxy, "https": proxy} if proxy else {}
        handlers = [urllib.request.ProxyHandler(proxies), _NoRedirect()]
        self._opener = urllib.request.build_opener(*handlers)
        self._crawl_delay = {}

    # -- checks ------------------------------------------------------------------------

    def check_url(self, url):
        """The URL's (scheme, host), or FetchError: only http(s), no private addresses."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"只能抓取 http 或 https 网址：{url[:200]}")
        host = parts.hostname
        if host in self.allow_hosts:
            return parts
        try:
            infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            raise FetchError(f"无法解析网址中的主机名“{host}”。") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not address.is_global or address.is_multicast:
                raise FetchError(f"网址“{host}”指向内部网络地址（{address}），为安全起见不予抓取。")
        return parts

    def allowed(self, url):
        """robots.txt of the URL's host allows our User-Agent to fetch it."""
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                page = self._get(origin + "/robots.txt")
            except FetchError as exc:
                if getattr(exc, "status", None) in (401, 403):
                    parser.disallow_all = True  # as the standard library does
                else:
                    parser.allow_all = True  # no robots.txt: no restriction stated
            else:
                parser.parse(page.data.decode("utf-8", "replace").splitlines())
                delay = parser.crawl_delay(self.user_agent)
                if delay:  # the site's own Crawl-delay, when longer than ours (at most 60 s)
                    self._crawl_delay[parts.netloc] = min(float(delay), MAX_CRAWL_DELAY)
            self._robots[origin] = parser
        return self._robots[origin].can_fetch(self.user_agent, url)

    # -- fetching ----------------------------------------------------------------------

    def fetch(self, url):
        """A Page, or FetchError (robots.txt, limits, network, HTTP status)."""
        return self._get(url, robots=True)

    def _wait(self, host):
        last = self._last.get(host)
        if last is not None:
            delay = max(self.delay, self._crawl_delay.get(host, 0))
            remaining = delay - (time.monotonic() - last)
            if remaining > 0:
                self.sleep(remaining)
        self._last[host] = time.monotonic()

    def _get(self, url, *, robots=False):
        for _hop in range(MAX_REDIRECTS + 1):
            parts = self.check_url(url)
            if robots and not self.allowed(url):  # every hop, as its own site says
                raise FetchError(f"该网站的 robots.txt 不允许抓取此网址：{url[:200]}")
            self._wait(parts.netloc)
            self.requests.append((url, time.monotonic()))
            request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
            try:
                response = self._opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                    url = urllib.parse.urljoin(url, exc.headers["Location"])
                    exc.close()
                    continue
                error = FetchError(f"网站返回错误 {exc.code}：{url[:200]}")
                error.status = exc.code
                raise error from None
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"无法连接网站（{reason}）：{url[:200]}") from None
            with response:
                return self._read(url, response)
        raise FetchError(f"网址重定向次数过多：{url[:200]}")

    def _read(self, url, response):
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"文件超过 {self.max_bytes // 1024 // 1024} MB，未抓取：{url[:200]}")
        started, chunks, size = time.monotonic(), [], 0
        while True:
            chunk = response.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(
                    f"文件超过 {self.max_bytes // 1024 // 1024} MB，未抓取：{url[:200]}"
                )
            if time.monotonic() - started > self.timeout:
                raise FetchError(f"抓取超时（{self.timeout:g} 秒）：{url[:200]}")
            chunks.append(chunk)
        content_type = response.headers.get_content_type()
        return Page(
            url=url,
            data=b"".join(chunks),
            content_type=content_type,
            filename=filename_of(url, response.headers, content_type),
            fetched_at=timezone.now(),
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # every hop is checked by Fetcher._get


def filename_of(url, headers, content_type):
    """The file's name: Content-Disposition's, else the URL path's last part."""
    message = Message()
    message["Content-Disposition"] = headers.get("Content-Disposition", "")
    name = message.get_filename()
    if not name:
        path = urllib.parse.urlsplit(url).path
        name = urllib.parse.unquote(path.rsplit("/", 1)[-1])
    name = name.replace("/", "_").replace("\\", "_").strip() or "index"
    if "." not in name and content_type == "text/html":
        name += ".html"
    return name[:200]


# ---- Reading pages -----------------------------------------------------------------------


def _html(page):
    return page.content_type in ("text/html", "application/xhtml+xml") or page.filename.endswith(
        (".html", ".htm", ".shtml")
    )


def _text_and_links(page):
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(page.data)
    except Exception:  # noqa: BLE001 - a page lxml cannot read has no links for us
        return "", []
    text = tree.text_content()
    links = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        words = " ".join((a.text_content() or "").split()) + " " + (a.get("title") or "")
        links.append((urllib.parse.urljoin(page.url, href), words.strip()))
    return text, links


def is_report_page(text):
    return any(mark in text for mark in REPORT_MARKS)


def report_links(links):
    """Links that lead to an annual report: their words or file name say so."""
    out = []
    for url, words in links:
        name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        if any(w in words or w in name for w in REPORT_WORDS) and url not in out:
            out.append(url)
    return out


def attachment_links(links):
    out = []
    for url, _words in links:
        path = urllib.parse.urlsplit(url).path.lower()
        if path.endswith(ATTACHMENTS) and url not in out:
            out.append(url)
    return out


# ---- Collecting --------------------------------------------------------------------------


@dataclass
class WebOutcome:
    url: str
    result: str  # a collecting.Outcome result, or "failed" (not fetched) / "list" (a list page)
    message: str = ""
    report_id: int | None = None
    fetched_at: str | None = None
    found: int = 0  # a list page: report links found

    RESULT_NAMES = {**collecting.Outcome.RESULT_NAMES, "failed": "未能抓取", "list": "列表页"}

    @property
    def result_name(self):
        return self.RESULT_NAMES.get(self.result, self.result)

    def as_dict(self):
        return {
            "url": self.url,
            "result": self.result,
            "result_name": self.result_name,
            "message": self.message,
            "id": self.report_id,
            "fetched_at": self.fetched_at,
            "found": self.found,
        }


def _keep(page, *, user, collector, pool):
    [outcome] = collecting.collect(
        [(page.filename, page.data)],
        user=user,
        collector=collector,
        source=page.url[:300],
        pool=pool,
        missing=False,
    )
    report = outcome.report
    if report is not None and outcome.result != "same" and not report.url:
        report.url, report.fetched_at = page.url[:1000], page.fetched_at
        report.save(update_fields=["url", "fetched_at"])
    return WebOutcome(
        page.url,
        outcome.result,
        outcome.message,
        report.pk if report else None,
        page.fetched_at.isoformat(),
    )


def collect_urls(urls, *, user=None, collector=None, fetcher=None, progress=None):
    """Fetch `urls` (report pages or list pages) and keep the reports; [WebOutcome]."""
    fetcher = fetcher or Fetcher()
    pool = collecting.candidates()
    outcomes, seen = [], set()

    def visit(url, depth):
        if url in seen:
            return
        seen.add(url)
        try:
            page = fetcher.fetch(url)
        except FetchError as exc:
            outcomes.append(WebOutcome(url, "failed", str(exc)))
            return
        if progress:
            progress(len(outcomes), url)
        if not _html(page):
            outcomes.append(_keep(page, user=user, collector=collector, pool=pool))
            return
        text, links = _text_and_links(page)
        if is_report_page(text):
            outcomes.append(_keep(page, user=user, collector=collector, pool=pool))
            return
        found = report_links(links)[:MAX_LINKS] if depth == 0 else []
        files = attachment_links(links) if depth > 0 else []
        if not found and not files:  # the engine decides (kept, as every original is)
            outcomes.append(_keep(page, user=user, collector=collector, pool=pool))
            return
        outcomes.append(
            WebOutcome(url, "list", f"找到 {len(found) + len(files)} 个年报链接", found=len(found))
        )
        for link in found + files:
            visit(link, depth + 1)

    for url in urls:
        visit(url.strip(), 0)
    if any(o.result == "filed" for o in outcomes):
        crosscheck.refresh_missing()
    return outcomes


# ---- Background work -----------------------------------------------------------------------


def run_job(job, fetcher=None):
    """Do a CollectJob's work, recording its state and results (the task's body)."""

    def work():
        urls = job.url_list()
        outcomes = collect_urls(
            urls, user=job.requested_by, collector=job.collector, fetcher=fetcher
        )
        return outcomes, {}

    collecting.run_claimed(job, work)
    return job


def enqueue(job):
    """Queue a CollectJob."""
    from gongkai.ops.tasks import enqueue

    from .tasks import collect_job

    enqueue(collect_job, job.pk)


RERUN_REFUSED = {
    CollectJob.State.QUEUED: "这项收集任务正在排队等待抓取，不必重新运行。",
    CollectJob.State.RUNNING: "这项收集任务正在抓取中，不能重新运行；请等它完成或出错后再看。",
    CollectJob.State.DONE: "这项收集任务已经完成，不能重新运行。如需再次抓取，请重新填写网址"
    "（已在库中的文件不会重复入库）。",
}


def rerun(job, *, by):
    """A FAILED CollectJob fetched again from its addresses (tasks.collect_job), audited
    as LibraryEvent "rerun_collect"; what a failed run stored is found again by content
    and left as it is. ReviewError (Chinese) for a job not FAILED."""
    from .tasks import collect_job

    return collecting.requeue(
        job, by=by, kind="rerun_collect", task=collect_job, refused=RERUN_REFUSED
    )
