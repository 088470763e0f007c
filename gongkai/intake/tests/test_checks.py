import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.intake import checks


def _with_check(first17):
    return first17 + checks.id_check_digit(first17)


@pytest.mark.parametrize("number", ["11010519491231002X", "110105194912310021"[:17] + "X"])
def test_standard_example_is_accepted(number):
    assert checks.resident_id(number) == "11010519491231002X"


def test_lower_case_x_spaces_and_full_width_digits_are_accepted():
    assert checks.resident_id(" 110105 19491231 002x ") == "11010519491231002X"
    assert checks.resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "应为18位，您填写了17位"),
        ("110105491231002", "15位的第一代身份证"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100AX", "前17位应为数字"),
        ("", "请填写"),
    ],
)
def test_bad_resident_ids_explain_in_chinese(number, words):
    with pytest.raises(ValueError, match=words):
        checks.resident_id(number)


def test_birth_date_in_the_future_is_refused():
    with pytest.raises(ValueError, match="不合理"):
        checks.resident_id(_with_check("11010520300101001"), today=dt.date(2026, 1, 1))


digits = st.text(alphabet="0123456789", min_size=3, max_size=3)


@given(
    area=st.text(alphabet="0123456789", min_size=6, max_size=6),
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
    seq=digits,
)
def test_every_well_formed_number_is_accepted(area, born, seq):
    number = _with_check(f"{area}{born:%Y%m%d}{seq}")
    assert checks.resident_id(number) == number


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
    position=st.sampled_from([0, 1, 2, 3, 4, 5, 14, 15, 16]),
    delta=st.integers(1, 9),
)
def test_a_single_mistyped_digit_is_caught(born, position, delta):
    number = _with_check(f"110105{born:%Y%m%d}123")
    wrong = list(number)
    wrong[position] = str((int(wrong[position]) + delta) % 10)
    with pytest.raises(ValueError):
        checks.resident_id("".join(wrong))


@pytest.mark.parametrize("value", ["E12345678", "H0123456789", "C12-345 678", "AB(12)34"])
def test_other_documents_are_not_checksum_checked(value):
    assert checks.other_document(value) == value.upper()


@pytest.mark.parametrize("value", ["12", "护照号123456", "<script>"])
def test_other_documents_refuse_only_impossible_values(value):
    with pytest.raises(ValueError):
        checks.other_document(value)


@pytest.mark.parametrize(
    "value",
    ["13800138000", "+86 138 0013 8000", "010-12345678", "(0571)87654321转123", "0085221234567"],
)
def test_phone_numbers_are_accepted(value):
    assert checks.phone(value)


@pytest.mark.parametrize(
    ("value", "words"),
    [("12345", "位数不对"), ("12800138000", "13至19开头"), ("138-abc", "只能包含数字")],
)
def test_bad_phone_numbers_explain(value, words):
    with pytest.raises(ValueError, match=words):
        checks.phone(value)


def test_org_code_is_checked_for_characters_only():
    assert checks.org_code("91110000 600037341L") == "91110000600037341L"
    with pytest.raises(ValueError, match="统一社会信用代码"):
        checks.org_code("某某公司")


@pytest.mark.parametrize("n", range(100))
def test_chinese_numbers_round_trip(n):
    assert checks.parse_answer(checks.chinese_number(n)) == n


@pytest.mark.parametrize(
    ("text", "n"), [("12", 12), ("１２", 12), (" 7 ", 7), ("两", 2), ("x", None)]
)
def test_answers_in_digits_or_words(text, n):
    assert checks.parse_answer(text) == n
