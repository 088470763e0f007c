"""重复申请 / 相似申请 detection: the pure functions (hypothesis) and their rules."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gongkai.cases import duplicates
from gongkai.cases.duplicates import REPEAT, SIMILAR, Applicant

D = dt.date.fromisoformat
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
chinese = st.text(alphabet="申请公开本局年治安案件统计数据户籍交通罚款信息，。 ", max_size=60)


@given(texts, texts)
def test_similarity_is_symmetric_and_bounded(a, b):
    score = duplicates.similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == duplicates.similarity(b, a)


@given(texts)
def test_identical_text_is_fully_similar(a):
    assert duplicates.similarity(a, a) == 1.0


@given(chinese, chinese)
def test_white_space_punctuation_and_width_do_not_matter(a, b):
    noisy = " ".join(a) + "，。！" + a.upper()
    assert duplicates.similarity(a + a.upper(), b) == duplicates.similarity(noisy, b)


@given(chinese)
def test_a_text_compared_with_a_longer_version_scores_between_zero_and_one(a):
    score = duplicates.similarity(a, a + "另外还申请公开其他无关的材料目录")
    assert 0.0 <= score <= 1.0


def test_examples():
    a = "申请公开本局2023年治安案件统计数据"
    assert duplicates.similarity(a, "申请公开本局 2023 年治安案件统计数据。") == 1.0
    assert duplicates.similarity(a, "申请公开本局２０２３年治安案件统计数据") == 1.0  # full width
    assert duplicates.similarity(a, "请提供户籍窗口办理时限规定") < 0.2
    assert 0.5 < duplicates.similarity(a, "申请公开本局2024年治安案件统计数据") < 1.0
    assert duplicates.similarity("", "") == 1.0
    assert duplicates.similarity("申", "") == 0.0


PERSON = Applicant("张三", "110101199001011234", "13800000000")


def test_same_applicant_by_name_and_document_or_by_contact():
    assert duplicates.same_applicant(PERSON, Applicant("张三", "110101199001011234", ""))
    assert duplicates.same_applicant(PERSON, Applicant("张三丰", "", "138 0000 0000"))
    assert not duplicates.same_applicant(PERSON, Applicant("张三", "", ""))  # a name alone
    assert not duplicates.same_applicant(PERSON, Applicant("李四", "110101199001011234", ""))
    assert not duplicates.same_applicant(Applicant("张三"), Applicant("张三"))


def test_classify_repeat_needs_same_applicant_within_twelve_months():
    day = D("2024-03-01")
    other = Applicant("李四", "", "13900000000")
    assert duplicates.classify(PERSON, day, PERSON, D("2023-03-01"), 0.8) == REPEAT
    assert duplicates.classify(PERSON, day, PERSON, D("2023-02-28"), 0.8) == SIMILAR
    assert duplicates.classify(PERSON, day, other, D("2024-02-01"), 0.8) == SIMILAR
    assert duplicates.classify(PERSON, day, PERSON, D("2024-02-01"), 0.3) is None
    assert duplicates.classify(PERSON, day, PERSON, None, 0.9) == SIMILAR


@given(st.dates(min_value=dt.date(2008, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_the_window_is_twelve_months(day):
    start = duplicates.window_start(day)
    assert start < day
    assert 365 <= (day - start).days <= 366
    assert start.month == day.month


def test_rank_puts_repeats_first_and_keeps_five():
    day = D("2024-03-01")
    content = "申请公开本局2023年治安案件统计数据"
    stranger = Applicant("王五", "", "")
    candidates = [(content, stranger, day, n) for n in range(7)]
    candidates.append((content + "和说明", PERSON, D("2023-12-01"), "mine"))
    candidates.append(("完全不同的内容：道路交通事故认定书", PERSON, day, "other"))
    matches = duplicates.rank(content, PERSON, day, candidates)
    assert len(matches) == 5
    assert (matches[0].ref, matches[0].kind) == ("mine", REPEAT)
    assert all(m.kind == SIMILAR and m.percent == 100 for m in matches[1:])


# ---- one identity for every channel (issue 14 part 6) ------------------------------------


def test_contact_keys_read_the_online_form_and_what_staff_type_alike():
    online = duplicates.contact_keys("电话：138-0013-8000；电子邮箱：Zhang.San@Example.CN")
    assert online == {("phone", "13800138000"), ("email", "zhang.san@example.cn")}
    assert duplicates.contact_keys("+86 138 0013 8000") == {("phone", "13800138000")}
    assert duplicates.contact_keys("0086-13800138000") == {("phone", "13800138000")}
    assert duplicates.contact_keys("１３８００１３８０００") == {
        ("phone", "13800138000")
    }  # full width
    assert duplicates.contact_keys("010-12345678转8") == {("phone", "01012345678")}  # no extension
    assert duplicates.contact_keys("") == frozenset()
    assert duplicates.first_key("联系人：李四；电话：010-12345678", "phone") == "01012345678"
    assert duplicates.first_key("电话：010-12345678", "email") == ""


def test_the_id_number_is_the_same_with_or_without_its_label():
    assert duplicates.id_key("居民身份证：11010519491231002x") == "11010519491231002X"
    assert duplicates.id_key(" 110105 19491231 002X ") == "11010519491231002X"
    assert duplicates.id_key("统一社会信用代码:91110000MA01ABCD1X") == "91110000MA01ABCD1X"


def test_the_same_person_online_and_by_post_is_the_same_applicant():
    online = Applicant("张三", "居民身份证：11010519491231002X", "电话：13800138000")
    letter = Applicant("张 三", "11010519491231002x", "")
    assert duplicates.same_applicant(online, letter) and duplicates.same_applicant(letter, online)
    by_mail = Applicant("张三", "", "zhang@example.cn")
    assert duplicates.same_applicant(
        Applicant("张三", "", "电话：13900000000；电子邮箱：ZHANG@example.cn"), by_mail
    )


@given(st.dates(min_value=dt.date(2008, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_the_window_reaches_twelve_months_both_ways(day):
    assert duplicates.window_start(duplicates.window_end(day)) <= day <= duplicates.window_end(day)
    assert 365 <= (duplicates.window_end(day) - day).days <= 366


def test_a_repeat_is_a_repeat_whichever_was_dated_first():
    day = D("2024-03-01")
    assert duplicates.classify(PERSON, day, PERSON, D("2024-03-05"), 0.8) == REPEAT
    assert duplicates.classify(PERSON, day, PERSON, D("2025-03-01"), 0.8) == REPEAT
    assert duplicates.classify(PERSON, day, PERSON, D("2025-03-02"), 0.8) == SIMILAR
