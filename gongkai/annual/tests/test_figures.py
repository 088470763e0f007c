"""figures.gather: the narrative's figures from the records (small fixture, real DB)."""

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from gongkai.activities import registers
from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.annual import drafting
from gongkai.annual.figures import changed, gather
from gongkai.appeals.models import Appeal
from gongkai.cases.models import Case, Channel
from gongkai.cases.stats import annual_tables
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters.tests.factories import complete_letterhead
from gongkai.publications.tests.factories import at, make_item
from gongkai.publications.tests.factories import run_to as publish_to
from gongkai.registers import documents
from gongkai.workdays.tests.factories import store_national_calendar

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    store_national_calendar()  # the national working-day calendar (case deadlines)
    agency = make_agency()
    dept = make_department(agency)
    users = {role: make_user(agency, role, department=dept) for role in Role.values}
    complete_letterhead(agency)  # a reply names the 复议机关 and the court
    return SimpleNamespace(agency=agency, dept=dept, **users)


@pytest.fixture
def year_2024(world):
    """Two requests (one answered, one open, one by letter), a paid fee, a 复议, a
    published item, a 规范性文件, and the activity registers of 2024."""
    w = world
    answered = run_to(make_case(w.agency, w.registrar), w, "delivered")
    make_case(
        w.agency, w.registrar, channel=Channel.LETTER, submitted_on=D("2024-11-01"),
        confirmed_on=D("2024-11-04"),
    )  # fmt: skip
    Case.objects.filter(pk=answered.pk).update(
        fee_amount=Decimal("1200.00"), fee_notified_on=D("2024-03-05"),
        fee_due_on=D("2024-04-02"), fee_paid_on=D("2024-03-10"),
    )  # fmt: skip
    Appeal.objects.create(case=answered, kind="reconsideration", filed_on=D("2024-05-06"))
    item = make_item(w.agency, w.info_officer, now=at("2024-06-03"), written_on=D("2024-06-01"))
    publish_to(item, w, "published", now=at("2024-06-04"))
    documents.add_document(
        w.agency, by=w.office, kind="normative_documents", title="养犬管理规定",
        number="示公规〔2024〕1号", made_on=D("2024-01-22"), note="",
    )  # fmt: skip
    add = registers.add
    add(w.agency, "enquiries", by=w.office, year=2024, channel="phone", persons=1300)
    add(w.agency, "enquiries", by=w.office, year=2024, channel="online", persons=57700)
    add(w.agency, "proposals", by=w.office, year=2024, kind="npc", level="provincial",
        handled=57, on_time=57)  # fmt: skip
    add(w.agency, "proposals", by=w.office, year=2024, kind="cppcc", level="national",
        handled=7, on_time=6)  # fmt: skip
    add(w.agency, "briefings", by=w.office, kind="press_conference", held_on=D("2024-05-20"),
        title="“清风2024”专项行动新闻发布会")  # fmt: skip
    add(w.agency, "trainings", by=w.office, held_on=D("2024-05-20"), title="条例培训",
        attendees=45)  # fmt: skip
    add(w.agency, "trainings", by=w.office, held_on=D("2024-09-17"), title="公文写作",
        attendees=70)  # fmt: skip
    add(w.agency, "assessments", by=w.office, year=2024, title="政务公开绩效考核", result="")
    add(w.agency, "newmedia", by=w.office, year=2024, platform="wechat", account="示例公安",
        posts=1205)  # fmt: skip
    add(w.agency, "newmedia", by=w.office, year=2024, platform="weibo", account="示例公安",
        posts=12984)  # fmt: skip
    return w


def test_figures_are_the_tables_and_the_registers(year_2024):
    w = year_2024
    f = gather(w.agency, 2024)
    json.dumps(f)  # serialisable
    assert all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in f.values())
    tables = annual_tables(w.agency, 2024)  # the one home of tables 三 and 四
    assert f["apply.received"] == tables["requests"]["new"]["total"] == 2
    assert f["apply.concluded"] == tables["requests"]["total"]["total"] == 1
    assert f["apply.carry_forward"] == tables["requests"]["carry_forward"]["total"] == 1
    assert f["apply.granted"] == 1
    assert f["apply.replied"] == f["apply.replied_on_time"] == 1 and f["apply.late"] == 0
    assert f["apply.channel.online"] == 1 and f["apply.channel.letter"] == 1
    assert f["appeals.reconsideration.total"] == 1 and f["appeals.reconsideration.pending"] == 1
    assert f["appeals.litigation.total"] == 0
    assert f["fees.cases"] == 1 and f["fees.amount"] == "1200.00"
    assert f["proactive.total"] == 1 and f["proactive.category.public_order"] == 1
    assert f["documents.normative.issued"] == 1 and f["documents.normative.in_force"] == 1
    assert f["enquiries.total"] == 59000 and f["enquiries.phone"] == 1300
    assert "enquiries.in_person" not in f
    assert f["proposals.total"] == 64 and f["proposals.on_time"] == 63
    assert f["proposals.npc.provincial"] == 57 and f["proposals.cppcc.national"] == 7
    assert f["press.conferences"] == 1 and "interpretations.total" not in f
    assert f["training.sessions"] == 2 and f["training.attendees"] == 115
    assert f["assessments.total"] == 1 and f["assessments.titles"] == "政务公开绩效考核"
    assert f["newmedia.accounts"] == 2 and f["newmedia.posts"] == 14189
    assert f["newmedia.weibo.posts"] == 12984


def test_a_year_with_nothing_registered_has_no_register_figures(year_2024):
    f = gather(year_2024.agency, 2023)
    assert f["apply.received"] == 0 and f["fees.amount"] == "0" and f["fees.cases"] == 0
    for prefix in ("enquiries.", "proposals.", "training.", "newmedia.", "assessments."):
        assert not any(k.startswith(prefix) for k in f)
    text = drafting.section_text(drafting.draft(f, agency_name="示例局", year=2023)["六"])
    assert "本年度没有产生信息处理费" in text and "提案" not in text


def test_a_record_change_makes_the_bound_sentences_stale(year_2024):
    w = year_2024
    before = gather(w.agency, 2024)
    out = drafting.draft(before, agency_name=w.agency.name, year=2024)
    assert drafting.stale(out["一"], before) == []
    make_case(w.agency, w.registrar, submitted_on=D("2024-12-02"))
    after = gather(w.agency, 2024)
    assert "apply.received" in changed(before, after)
    marked = drafting.stale(out["一"], after)
    assert marked
    assert any("共收到政府信息公开申请2件" in out["一"][i]["text"] for i in marked)
    assert drafting.stale(out["六"], after) == []


def test_every_figure_has_a_chinese_name(year_2024):
    """The workspace shows each sentence's figures by name: never a dotted key."""
    from gongkai.annual.figures import label
    from gongkai.publications.models import Category, PublicationChannel

    names = set(gather(year_2024.agency, 2024))
    names |= {f"proactive.category.{c}" for c in Category.values}
    names |= {f"proactive.channel.{c}" for c in PublicationChannel.values}
    names |= {f"newmedia.wechat.{c}" for c in ("accounts", "posts")}
    names |= {"proposals.npc.county", "proposals.cppcc.on_time", "documents.rules.in_force"}
    names |= {f"appeals.{g}.{c}" for g in ("reconsideration", "litigation") for c in
              ("total", "upheld", "corrected", "other", "pending")}  # fmt: skip
    unnamed = {
        n for n in names if label(n) == n or not any("\u4e00" <= ch <= "\u9fff" for ch in label(n))
    }
    assert not unnamed
    assert label("proposals.npc.county") == "县级人大代表建议（件）"
    assert label("appeals.reconsideration.corrected") == "行政复议结果纠正（件）"
