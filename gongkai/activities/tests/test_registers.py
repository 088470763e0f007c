"""registers.py: every change checked, audited and atomic; the demo loader."""

import datetime as dt

import pytest

from gongkai.activities import registers
from gongkai.activities.models import ActivityEvent, Enquiry, Proposal
from gongkai.annual.figures import gather
from gongkai.demo import activities as demo
from gongkai.registers.tests.conftest import world  # noqa: F401

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def test_only_the_office_and_the_admin_change_the_registers(world):  # noqa: F811
    for role in ("office_head", "leader", "registrar", "handler", "info_officer"):
        with pytest.raises(registers.ActivityError, match="需要"):
            registers.add(world.agency, "enquiries", by=getattr(world, role), year=2025,
                          channel="phone", persons=3, note="")  # fmt: skip
    row = registers.add(world.agency, "enquiries", by=world.admin, year=2025, channel="phone",
                        persons=3, note="")  # fmt: skip
    with pytest.raises(registers.ActivityError):
        registers.change(row, by=world.outsider, channel="phone", persons=4, note="")
    assert Enquiry.objects.get().persons == 3
    assert list(ActivityEvent.objects.values_list("kind", flat=True)) == ["added"]


def test_bad_values_are_refused_in_chinese_and_nothing_is_saved(world):  # noqa: F811
    with pytest.raises(registers.ActivityError, match="按时办结件数不能多于承办件数"):
        registers.add(world.agency, "proposals", by=world.office, year=2025, kind="npc",
                      level="county", handled=2, on_time=3, note="")  # fmt: skip
    with pytest.raises(registers.ActivityError, match="不是有效选项|选项"):
        registers.add(world.agency, "proposals", by=world.office, year=2025, kind="npc",
                      level="township", handled=2, on_time=1, note="")  # fmt: skip
    assert not Proposal.objects.exists() and not ActivityEvent.objects.exists()


def test_import_outside_the_years_is_refused(world, tmp_path):  # noqa: F811
    path = tmp_path / "a.csv"
    path.write_text("渠道,咨询人次\n电话,5\n", encoding="utf-8")
    with pytest.raises(registers.ActivityError, match="2027 年不能登记"):
        registers.import_file(world.agency, "enquiries", 2027, path, "a.csv", by=world.office,
                              today=D("2026-03-02"))  # fmt: skip
    n = registers.import_file(world.agency, "enquiries", 2025, path, "a.csv", by=world.office,
                              today=D("2026-03-02"))  # fmt: skip
    assert n == 1 and Enquiry.objects.get().persons == 5


def test_demo_years_feed_the_narrative_and_load_once(world):  # noqa: F811
    today = D("2026-03-02")
    assert demo.load(world.agency, world.office, today=today) > 0
    assert demo.load(world.agency, world.office, today=today) == 0
    f = gather(world.agency, 2025)
    assert f["enquiries.total"] == sum(demo.ENQUIRIES.values())
    assert f["newmedia.wechat.posts"] == 1205 and f["proposals.total"] == 16
    assert f["training.sessions"] == 2 and f["press.conferences"] == 2
    this_year = gather(world.agency, 2026)
    assert "enquiries.total" not in this_year and "training.sessions" not in this_year
