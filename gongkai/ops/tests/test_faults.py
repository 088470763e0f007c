"""Fault tests (`make faults`; marked `faults`): processes killed with -9, the database
cut off, two app processes behind one address. Bounded (each well under 20 s of its own
work), loopback only; the machine's PostgreSQL and Redis are never stopped (the database
is cut off through a proxy of the test's own). Each writes its figures (tried / survived /
lost) to var/faults/<test>.json."""

import json
import re
import threading
import time

import pytest

from gongkai.ops.tests.s3 import s3_server  # noqa: F401
from gongkai.ops.tests.sites import (
    AGENCY,
    CHECK_APPLICATIONS,
    MAIL_SETUP,
    MAIL_STATE,
    OFFICE,
    PASSWORD,
    PNG,
    Browser,
    Proxy,
    Site,
    SmtpSink,
    clients,
    env_for,
    report,
    request,
    site,  # noqa: F401
    site_template,  # noqa: F401
    wait_ready,
)

pytestmark = pytest.mark.faults


def test_kill_9_of_the_web_process_during_online_applications(site):  # noqa: F811
    """Every acknowledged application stored exactly once; none half-written (each case
    with its form token, its events and, when one was sent, its intact file)."""
    web = site.web()
    port = web.port
    out = {"tried": 0, "acknowledged": [], "failed": 0}
    stop = threading.Event()
    threads = clients(lambda: port, 3, stop, out)
    time.sleep(2.0)
    before = out["tried"]
    web.kill9()  # in the middle of the clients' requests
    killed_at = len(out["acknowledged"])
    web = site.web(port=port)  # restarted on the same address
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join(30)
    web.stop()
    stored = site.python(CHECK_APPLICATIONS)
    markers = stored["markers"]
    acknowledged = set(out["acknowledged"])
    lost = sorted(acknowledged - set(markers))
    figures = report(
        "kill_web",
        {
            "tried": out["tried"],
            "acknowledged": len(acknowledged),
            "failed_requests": out["failed"],
            "stored": len(markers),
            "lost": len(lost),
            "duplicated": len(markers) - len(set(markers)),
            "half_written": len(stored["without_token"]) + len(stored["without_events"]),
            "broken_files": len(stored["broken_files"]),
            "orphan_files_for_the_sweep": stored["orphan_files"],
        },
    )
    assert before > 0 and killed_at > 0 and len(acknowledged) > killed_at, figures
    assert lost == [], figures
    assert figures["duplicated"] == 0 and figures["half_written"] == 0, figures
    assert stored["broken_files"] == [] and stored["attachments"] > 0, figures
    # stored but not acknowledged (the answer was lost with the process): at most the
    # requests in flight when it was killed, and each is complete
    assert len(markers) - len(acknowledged) <= 3, figures
    wait_ready  # noqa: B018 (imported for the other tests)


def test_kill_9_of_the_worker_in_the_middle_of_sending_mail(site):  # noqa: F811
    """The worker dies while the mail server has the first message but has not said 250:
    that run is shown failed (运行中断) and queued again; every notice is then mailed,
    none lost, and none twice (only what a server acknowledged counts as sent)."""
    sink = SmtpSink(hold_first=True)
    try:
        mail_env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": sink.port}
        site.env.update({k: str(v) for k, v in mail_env.items()})
        setup = site.python(MAIL_SETUP)
        worker = site.worker()
        assert sink.holding.wait(30), (site.var / "worker.log").read_text()[-3000:]
        worker.kill9()  # in the middle of the job: the message is not acknowledged
        status = "SELECT status FROM ops_jobrun WHERE id = ?"
        assert site.sql(status, setup["run"]) == [("running",)]
        site.worker()  # a new worker: finds the interrupted run, queues it again
        deadline = time.monotonic() + 120  # a new worker starts slowly on a busy machine
        again = "SELECT status FROM ops_jobrun WHERE job = 'notice_mail' AND attempt = 2"
        while time.monotonic() < deadline and site.sql(again) != [("succeeded",)]:
            time.sleep(0.2)
    finally:
        sink.close()
    state = site.python(MAIL_STATE)
    runs = state["runs"]
    figures = report(
        "kill_worker",
        {
            "messages": len(setup["people"]),
            "delivered": len(sink.delivered),
            "lost": len(set(setup["people"]) - set(sink.delivered)),
            "duplicated": len(sink.delivered) - len(set(sink.delivered)),
            "runs": [(r["attempt"], r["status"]) for r in runs],
        },
    )
    assert runs[0]["pk"] == setup["run"] and runs[0]["status"] == "failed", figures
    assert "运行中断" in runs[0]["error"] and "已自动重新排队" in runs[0]["error"]
    assert [r["status"] for r in runs if r["attempt"] == 2] == ["succeeded"], figures
    assert state["unsent"] == 0
    assert sorted(sink.delivered) == sorted(setup["people"]), figures


@pytest.fixture
def postgres_site(tmp_path, transactional_db, production_hashers):
    """A web process on this test's PostgreSQL database, reached through a Proxy."""
    from django.core.management import call_command
    from django.db import connection

    from gongkai.agencies.models import Agency, Role
    from gongkai.agencies.tests.factories import make_department, make_user

    if connection.vendor != "postgresql":
        pytest.skip(
            "数据库中断测试需要 PostgreSQL：设置 DATABASE_URL=postgres://… 后运行"
            "（make test-pg 与 CI 的 PostgreSQL 一轮会运行它）。"
        )
    db = connection.settings_dict
    call_command("calendar", "load", verbosity=0)
    agency = Agency.objects.create(code=AGENCY, name="故障测试市公安局")
    office = make_user(agency, Role.OFFICE, username=OFFICE, department=make_department(agency))
    office.set_password(PASSWORD)
    office.save()
    proxy = Proxy(db["HOST"] or "127.0.0.1", db["PORT"] or 5432)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@127.0.0.1:{proxy.port}/{db['NAME']}"
    var = tmp_path / "var"
    var.mkdir()
    made = Site(var, env_for(var, DATABASE_URL=url))
    made.proxy = proxy
    yield made
    made.close()
    proxy.cut()


@pytest.mark.django_db(transaction=True)  # so that `make test-pg` (and CI) runs it
def test_postgresql_cut_off_gives_chinese_503_and_the_site_recovers_by_itself(postgres_site):
    from gongkai.cases.models import Case

    pg = postgres_site
    port = pg.web().port
    staff, public = Browser(), Browser()
    status, headers = staff.login(port)
    assert status == 302, headers
    assert staff.get(port, "/cases/")[0] == 200
    assert public.apply(port, "fault-before") == 303
    # under load: two applicants keep applying before, during and after the outage
    load = {"tried": 0, "acknowledged": ["fault-before"], "failed": 0}
    stop = threading.Event()
    threads = clients(lambda: port, 2, stop, load, with_file=False)
    time.sleep(1.0)

    pg.proxy.cut()  # every connection dropped, new ones refused
    outage = {"requests": 0, "503": 0, "other": []}
    deadline = time.monotonic() + 2
    ready = None
    while time.monotonic() < deadline:
        for path in ("/cases/", f"/xxgk/apply/?agency={AGENCY}", "/readyz"):
            # /readyz as a load balancer asks it: without cookies
            who = Browser() if path == "/readyz" else staff
            got, headers, page = who.get(port, path)
            outage["requests"] += 1
            if got == 503:
                outage["503"] += 1
            else:
                outage["other"].append((path, got))
            if path == "/readyz":
                ready = json.loads(page)
            elif got == 503:
                assert "连接不上数据库" in page and headers.get("Retry-After") == "30"
    assert ready["checks"]["database"]["ok"] is False and ready["checks"]["storage"]["ok"]

    pg.proxy.restore()
    started, recovered = time.monotonic(), None
    while time.monotonic() - started < 15:
        if staff.get(port, "/readyz")[0] == 200:
            recovered = time.monotonic() - started
            break
        time.sleep(0.1)
    after = staff.get(port, "/cases/")[0]  # the same login, still valid
    applied = public.apply(port, "fault-after")
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(30)
    stored = [
        c.split("：", 1)[0]
        for c in Case.objects.filter(content__startswith="fault-").values_list("content", flat=True)
    ]
    from gongkai.intake.models import SubmissionToken

    half = Case.objects.filter(content__startswith="fault-", events__isnull=True).count()
    half += Case.objects.filter(content__startswith="fault-").count() - (
        SubmissionToken.objects.filter(case__content__startswith="fault-").count()
    )
    figures = report(
        "postgresql_down",
        {
            "applications_tried": load["tried"] + 2,
            "acknowledged": len(load["acknowledged"]) + 1,
            "stored": len(stored),
            "half_written": half,
            "requests_during_outage": outage["requests"],
            "answered_503": outage["503"],
            "other_answers": outage["other"],
            "recovered_after_seconds": recovered,
            "lost": len(set(load["acknowledged"]) - set(stored)),
            "duplicated": len(stored) - len(set(stored)),
        },
    )
    assert outage["other"] == [] and outage["503"] == outage["requests"], figures
    assert recovered is not None and after == 200 and applied == 303, figures
    assert figures["lost"] == 0 and "fault-after" in stored, figures
    assert figures["duplicated"] == 0 and half == 0, figures


def test_two_app_processes_share_logins_and_files(site, redis_server, s3_server):  # noqa: F811
    """Two web processes on two ports (as behind one load balancer), with Redis and the
    object store: a login on one is valid on the other, also after Redis restarts (the
    sessions are kept in the database too); a file uploaded through one downloads through
    the other."""
    bucket = s3_server.new_bucket()
    site.env.update({"REDIS_URL": redis_server.url, **s3_server.env(bucket)})
    a, b = site.web(), site.web()
    staff, public = Browser(), Browser()
    assert staff.login(a.port)[0] == 302
    assert staff.get(b.port, "/cases/")[0] == 200  # logged in on a, known on b
    assert public.apply(a.port, "fault-shared", with_file=True) == 303
    [(pk, stored_path)] = site.sql("SELECT id, stored_path FROM attachments_caseattachment")
    assert s3_server.keys(bucket) == [stored_path]  # in the object store, not on a's disk
    status, headers, body = request(b.port, "GET", f"/attachments/{pk}/", headers=staff._headers())
    assert status == 200 and body == PNG
    assert "attachment" in headers["Content-Disposition"]
    # anonymous on b: not the file
    assert request(b.port, "GET", f"/attachments/{pk}/")[0] in (302, 403, 404)

    redis_server.stop()
    redis_server.start()  # an empty Redis: every cached session is gone
    survived = staff.get(b.port, "/cases/")[0] == 200 and staff.get(a.port, "/cases/")[0] == 200
    report(
        "two_processes",
        {
            "login_shared": True,
            "file_shared": True,
            "session_survived_redis_restart": survived,
        },
    )
    assert survived


PUBLISH_ONE = f"""
import datetime as dt
from django.utils import timezone
from gongkai.agencies.models import Agency
from gongkai.portal.tests.factories import make_item
item = make_item(Agency.objects.get(code="{AGENCY}"), title="共享缓存测试：关于户籍办理的通知",
                 published_at=timezone.now() - dt.timedelta(minutes=1))
print(item.pk)
"""


def test_two_app_processes_share_portal_cache_invalidation(site, redis_server):  # noqa: F811
    """Two web processes with one Redis, pages kept 10 minutes: an item published by a
    third process (as the worker or an import) appears at once on both; withdrawn
    through one, it is gone at once from the other's catalogue and item page."""
    import redis

    site.env.update(
        {"REDIS_URL": redis_server.url, "PORTAL_CACHE_SECONDS": "600", "PORTAL_AGENCY_CODE": AGENCY}
    )
    a, b = site.web(), site.web()
    title = "共享缓存测试：关于户籍办理的通知"
    catalogue = "/xxgk/catalogue/"

    def page(port, path):
        status, _headers, body = request(port, "GET", path)
        return status, body.decode()

    assert [page(p, catalogue)[0] for p in (a.port, b.port)] == [200, 200]
    stored = redis.Redis.from_url(redis_server.url).keys("*portal:page:*")
    assert stored, "the catalogue was not kept in the shared page cache"
    assert title not in page(b.port, catalogue)[1]  # served from the store

    pk = site.python(PUBLISH_ONE)
    seen = {"published_on_a": title in page(a.port, catalogue)[1]}
    seen["published_on_b"] = title in page(b.port, catalogue)[1]
    assert page(b.port, f"/xxgk/items/{pk}/")[0] == 200  # now kept too

    staff = Browser()
    assert staff.login(a.port)[0] == 302
    _, _, form = staff.get(a.port, f"/publications/{pk}/withdraw/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    status, _, _ = staff.post(
        a.port,
        f"/publications/{pk}/withdraw/",
        {"csrfmiddlewaretoken": token, "reason": "测试撤回：内容有误"},
    )
    assert status == 302
    seen["withdrawn_gone_from_b_catalogue"] = title not in page(b.port, catalogue)[1]
    seen["withdrawn_item_page_on_b"] = page(b.port, f"/xxgk/items/{pk}/")[0]
    seen["withdrawn_gone_from_a_catalogue"] = title not in page(a.port, catalogue)[1]
    report("shared_cache_invalidation", seen)
    assert seen == {
        "published_on_a": True,
        "published_on_b": True,
        "withdrawn_gone_from_b_catalogue": True,
        "withdrawn_item_page_on_b": 404,
        "withdrawn_gone_from_a_catalogue": True,
    }
