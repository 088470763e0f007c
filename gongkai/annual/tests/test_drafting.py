"""drafting.py: sections 一、五、六 from figures. Pure: no database."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gongkai.annual import drafting
from gongkai.annual.drafting import draft, section_text, stale
from gongkai.reports import narrative

YEAR = 2025
AGENCY = "示例市公安局"

COUNT_NAMES = (
    "proactive.total", "proactive.category.licensing", "proactive.category.penalties",
    "proactive.category.other", "proactive.new_media", "proactive.channel.wechat",
    "proactive.channel.weibo", "proactive.channel.gazette", "proactive.interpretations",
    "proactive.on_time", "proactive.late", "proactive.corrected", "proactive.withdrawn",
    "documents.normative.issued", "documents.normative.repealed",
    "documents.normative.in_force", "documents.rules.issued",
    "apply.received", "apply.carried_over", "apply.concluded", "apply.carry_forward",
    "apply.granted", "apply.partial", "apply.denied", "apply.unavailable",
    "apply.not_processed", "apply.other", "apply.channel.online", "apply.channel.letter",
    "apply.replied", "apply.replied_on_time", "apply.late",
    "appeals.reconsideration.total", "appeals.reconsideration.upheld",
    "appeals.reconsideration.corrected", "appeals.reconsideration.other",
    "appeals.reconsideration.pending", "appeals.litigation.total",
    "appeals.litigation.upheld", "appeals.litigation.corrected", "appeals.litigation.other",
    "appeals.litigation.pending", "appeals.corrected", "fees.cases",
    "enquiries.total", "enquiries.phone", "enquiries.in_person", "enquiries.online",
    "proposals.total", "proposals.on_time", "proposals.npc.total", "proposals.npc.national",
    "proposals.npc.provincial", "proposals.cppcc.total", "proposals.cppcc.municipal",
    "interpretations.total", "press.conferences", "training.sessions", "training.attendees",
    "assessments.total", "newmedia.accounts", "newmedia.posts", "newmedia.wechat.accounts",
    "newmedia.wechat.posts", "newmedia.weibo.accounts", "newmedia.weibo.posts",
)  # fmt: skip
STRING_NAMES = ("fees.amount", "assessments.titles")

NUMBER = re.compile(r"\d+(?:\.\d+)?")
HALF_WIDTH = re.compile(r"[,;:()?!]")

SEED_003_PROBLEMS = (
    "(一)存在的问题。一是信息公开不够及时,内容需要进一步充实;二是主动公开的政务信息与"
    "公众的需求还存在一些差距;三是政府信息公开工作内部监督力度不够。"
)


def full():
    """A year with every figure recorded (seed 001's and 003's orders of magnitude)."""
    figures = {
        "proactive.total": 754, "proactive.category.licensing": 120,
        "proactive.category.penalties": 30, "proactive.category.other": 604,
        "proactive.new_media": 40, "proactive.channel.wechat": 30, "proactive.channel.weibo": 10,
        "proactive.channel.gazette": 11, "proactive.interpretations": 4,
        "proactive.on_time": 700, "proactive.late": 6, "proactive.corrected": 2,
        "proactive.withdrawn": 1,
        "documents.normative.issued": 1, "documents.normative.repealed": 0,
        "documents.normative.in_force": 1, "documents.rules.issued": 0,
        "apply.received": 258, "apply.carried_over": 3, "apply.concluded": 259,
        "apply.carry_forward": 2, "apply.granted": 41, "apply.partial": 8, "apply.denied": 36,
        "apply.unavailable": 105, "apply.not_processed": 17, "apply.other": 52,
        "apply.channel.online": 203, "apply.channel.letter": 55,
        "apply.replied": 207, "apply.replied_on_time": 207, "apply.late": 0,
        "appeals.reconsideration.total": 11, "appeals.reconsideration.upheld": 8,
        "appeals.reconsideration.corrected": 1, "appeals.reconsideration.other": 1,
        "appeals.reconsideration.pending": 1, "appeals.litigation.total": 4,
        "appeals.litigation.upheld": 3, "appeals.litigation.corrected": 0,
        "appeals.litigation.other": 0, "appeals.litigation.pending": 1, "appeals.corrected": 1,
        "fees.cases": 0, "fees.amount": "0",
        "enquiries.total": 59000, "enquiries.phone": 1300, "enquiries.online": 57700,
        "proposals.total": 117, "proposals.on_time": 117, "proposals.npc.total": 59,
        "proposals.npc.national": 2, "proposals.npc.provincial": 57,
        "proposals.cppcc.total": 58, "proposals.cppcc.national": 7,
        "proposals.cppcc.provincial": 51,
        "interpretations.total": 5, "press.conferences": 33,
        "training.sessions": 2, "training.attendees": 45,
        "assessments.total": 1, "assessments.titles": "政务公开绩效考核",
        "newmedia.accounts": 2, "newmedia.posts": 14189, "newmedia.wechat.accounts": 1,
        "newmedia.wechat.posts": 1205, "newmedia.weibo.accounts": 1,
        "newmedia.weibo.posts": 12984,
    }  # fmt: skip
    return figures


def all_sentences(out):
    return [s for key in ("一", "五", "六") for s in out[key]]


def numbers_outside_bindings(sentence, year):
    """Numbers in a sentence that are neither a bound figure (or part of a bound string),
    the report year, nor a citation's digits."""
    text = sentence["text"]
    for citation in drafting.CITATIONS:
        text = text.replace(citation, "")
    for value in sentence["figures"].values():
        if isinstance(value, str):
            text = text.replace(value, "")
    allowed = {str(v) for v in sentence["figures"].values()} | {str(year)}
    return [n for n in NUMBER.findall(text) if n not in allowed]


def test_sections_and_subsections_in_the_seeds_order():
    out = draft(full(), agency_name=AGENCY, year=YEAR)
    assert list(out) == ["一", "五", "六"]
    headings = [s["text"] for s in out["一"] if s["text"] in drafting.SUBSECTIONS]
    assert headings == list(drafting.SUBSECTIONS)
    overview = section_text(out["一"])
    assert overview.startswith(f"{YEAR}年，{AGENCY}")
    assert "（一）主动公开\n" in overview
    assert "通过政府网站主动公开政府信息754条，其中行政许可120条、行政处罚30条。" in overview
    assert "微信公众号1205条、微博12984条" in overview
    assert "共收到政府信息公开申请258件，上年结转3件。" in overview
    assert "咨询59000人次，其中电话咨询1300人次、网上咨询57700人次" in overview
    assert "作出答复的207件申请，均在《条例》第三十三条规定的期限内答复。" in overview


def test_late_replies_are_stated_and_become_a_problem():
    figures = full() | {"apply.replied_on_time": 200, "apply.late": 7}
    out = draft(figures, agency_name=AGENCY, year=YEAR)
    assert "有7件超过《条例》第三十三条规定的期限答复" in section_text(out["一"])
    problems = section_text(out["五"])
    assert "一是主动公开的及时性有待提高" in problems
    assert "二是依申请公开办理时效有待加强，本年度有7件申请超过法定期限答复" in problems


def test_every_number_is_a_bound_figure_and_punctuation_is_full_width():
    out = draft(full(), agency_name=AGENCY, year=YEAR, last_year_problems=SEED_003_PROBLEMS)
    for sentence in all_sentences(out):
        assert numbers_outside_bindings(sentence, YEAR) == [], sentence["text"]
        text = sentence["text"]
        for value in sentence["figures"].values():
            text = text.replace(str(value), "")
        assert not HALF_WIDTH.search(text), sentence["text"]
        for name, value in sentence["figures"].items():
            assert name.startswith("last_year.") or full()[name] == value


def test_the_checker_reads_back_the_tables_figures():
    """NARRATIVE-MATCH reads the drafted 一 with reports/narrative.py: the figures it finds
    are the very ones of tables 三 and 四."""
    figures = full()
    text = section_text(draft(figures, agency_name=AGENCY, year=YEAR)["一"])
    expected = {
        narrative.RECEIVED: figures["apply.received"],
        narrative.CARRIED_OVER: figures["apply.carried_over"],
        narrative.GRANTED: figures["apply.granted"],
        narrative.DENIED: figures["apply.denied"],
        narrative.UNAVAILABLE: figures["apply.unavailable"],
        narrative.NOT_PROCESSED: figures["apply.not_processed"],
        narrative.CARRY_FORWARD: figures["apply.carry_forward"],
        narrative.RECONSIDERATION: figures["appeals.reconsideration.total"],
        narrative.LITIGATION: figures["appeals.litigation.total"],
        narrative.NORMATIVE_ISSUED: figures["documents.normative.issued"],
        narrative.NORMATIVE_IN_FORCE: figures["documents.normative.in_force"],
    }
    stated = narrative.stated_figures(text, YEAR)
    assert {key for key, _, _ in stated} >= set(expected)
    for key, value, snippet in stated:
        assert expected[key] == value, snippet


def test_a_quiet_year_says_so_honestly():
    figures = {k: 0 for k in COUNT_NAMES if k.split(".")[0] not in _REGISTERS}
    figures["fees.amount"] = "0"
    out = draft(figures, agency_name=AGENCY, year=YEAR)
    overview = section_text(out["一"])
    assert "未收到政府信息公开申请" in overview
    assert "本年度未发生因政府信息公开引起的行政复议、行政诉讼。" in overview
    stated = dict((k, v) for k, v, _ in narrative.stated_figures(overview, YEAR))
    assert stated[narrative.RECEIVED] == 0
    assert stated[narrative.RECONSIDERATION] == 0 and stated[narrative.LITIGATION] == 0
    # Nothing recorded in the activity registers: nothing said about them, and 监督保障
    # asks for the facts instead of inventing them.
    assert "人次" not in overview and "组织开展政府信息公开业务培训" not in overview
    assert drafting.PLACEHOLDER in overview
    other = section_text(out["六"])
    assert "国办函〔2020〕109号" in other and "本年度没有产生信息处理费" in other
    assert "建议" not in other


_REGISTERS = {
    "enquiries",
    "proposals",
    "interpretations",
    "press",
    "training",
    "assessments",
    "newmedia",
}


def test_fees_charged_are_stated_with_their_amount():
    figures = full() | {"fees.cases": 2, "fees.amount": "1200.50"}
    other = section_text(draft(figures, agency_name=AGENCY, year=YEAR)["六"])
    assert "向2件政府信息公开申请收取信息处理费1200.50元" in other


def test_proposals_on_time_or_not():
    figures = full()
    other = section_text(draft(figures, agency_name=AGENCY, year=YEAR)["六"])
    assert "共承办人大代表建议和政协提案117件" in other and "全部按时办结答复" in other
    figures["proposals.on_time"] = 110
    other = section_text(draft(figures, agency_name=AGENCY, year=YEAR)["六"])
    assert "按时办结答复110件" in other


def test_last_years_problems_are_listed_and_answered_from_the_records():
    out = draft(full(), agency_name=AGENCY, year=YEAR, last_year_problems=SEED_003_PROBLEMS)
    text = section_text(out["五"])
    assert "上年度报告指出的问题主要有：一是信息公开不够及时" in text
    assert "三是政府信息公开工作内部监督力度不够" in text
    # 及时 → the on-time figure; 监督 → the assessments
    assert "主动公开信息中700条在规定时限内公开" in text
    assert "开展考核评估1次" in text
    assert "（一）存在的问题" in text and "（二）改进情况" in text
    assert "本年度有6条信息超过时限公开" in text


def test_problem_items():
    assert drafting.problem_items("") == []
    assert drafting.problem_items("公开不够及时。") == ["公开不够及时。"]
    items = drafting.problem_items("一是甲不够；二是乙不足。三是丙待加强。")
    assert items == ["甲不够", "乙不足", "丙待加强"]
    assert drafting.problem_items("1.甲不够\n2.乙不足") == ["甲不够", "乙不足"]


def test_stale_marks_the_sentences_whose_figures_changed():
    figures = full()
    sentences = draft(figures, agency_name=AGENCY, year=YEAR)["一"]
    assert stale(sentences, figures) == []
    changed = figures | {"apply.received": 259}
    marked = stale(sentences, changed)
    assert marked and all("apply.received" in sentences[i]["figures"] for i in marked)
    gone = {k: v for k, v in figures.items() if k != "training.sessions"}
    assert [i for i in stale(sentences, gone)] == [
        i for i, s in enumerate(sentences) if "training.sessions" in s["figures"]
    ]


figure_maps = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.integers(0, 10**6) for name in COUNT_NAMES},
        "fees.amount": st.sampled_from(["0", "12.00", "1200.50"]),
        "assessments.titles": st.sampled_from(["绩效考核", "第三方评估、绩效考核"]),
    },
)


@settings(max_examples=150, deadline=None)
@example(figures={"apply.late": 1}, problems="")  # late replies without the replied count
@given(figures=figure_maps, problems=st.sampled_from(["", SEED_003_PROBLEMS, "公开不够及时"]))
def test_any_figures_no_number_unbound_none_invented(figures, problems):
    out = draft(figures, agency_name=AGENCY, year=YEAR, last_year_problems=problems)
    assert set(out) == {"一", "五", "六"}
    for sentence in all_sentences(out):
        assert sentence["text"]
        assert numbers_outside_bindings(sentence, YEAR) == [], sentence["text"]
        for name, value in sentence["figures"].items():
            if not name.startswith("last_year."):
                assert figures[name] == value  # nothing bound that was not given
        assert stale([sentence], figures) == []
        text = sentence["text"]
        for value in sentence["figures"].values():
            text = text.replace(str(value), "")
        assert not HALF_WIDTH.search(text) and "/" not in text, sentence["text"]
    for key in ("一", "五", "六"):
        assert section_text(out[key]).strip()
