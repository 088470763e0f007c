"""Fault tests (`make faults`; marked `faults`): processes killed with -9, the database
cut off, two app processes behind one address. Bounded (each well under 20 s of its own
work), loopback only; the machine's PostgreSQL and Redis are never stopped (the database
is cut off through a proxy of the test's own). Each writes its figures (tried / survived /
lost) to var/faults/<test>.json."""

import threading
import time

import pytest

from gongkai.ops.tests.sites import (
    CHECK_APPLICATIONS,
    MAIL_SETUP,
    MAIL_STATE,
    SmtpSink,
    clients,
    report,
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
        deadline = time.monotonic() + 30
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
