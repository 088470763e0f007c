"""Reading export files and validating their rows (pure: no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gongkai.registers import files, rows
from gongkai.registers.tests.helpers import csv_bytes, decisions, write, xlsx_bytes

D = dt.date.fromisoformat
YEAR = (D("2024-01-01"), D("2024-12-31"))


def scan(tmp_path, data, name="f.csv", kind="licensing", period=YEAR):
    return rows.scan_file(write(tmp_path, name, data), name, kind, *period)


def reasons(result):
    return " ".join(r.reason for r in result.rejected)


# ---- encodings and formats -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030_reads_the_same(tmp_path, encoding):
    data = csv_bytes(decisions("示公许〔2024〕1号", "示公许〔2024〕2号"), encoding)
    result = scan(tmp_path, data)
    assert (result.accepted, result.rejected) == (2, [])
    assert files.detect_encoding(tmp_path / "f.csv") == (
        "gb18030" if encoding in ("gb18030", "gbk") else encoding
    )


def test_a_gb18030_four_byte_character_survives(tmp_path):
    """𠀀 (U+20000) needs GB18030's four-byte form; GBK cannot hold it."""
    data = csv_bytes(decisions("示公许〔2024〕1号", matter="𠀀字许可"), "gb18030")
    path = write(tmp_path, "f.csv", data)
    (accepted,) = list(rows.results(path, "f.csv", "licensing", *YEAR))
    assert accepted.values["matter"] == "𠀀字许可"


def test_tab_separated_files_are_read(tmp_path):
    result = scan(tmp_path, csv_bytes(decisions("A1", "A2"), delimiter="\t"))
    assert result.accepted == 2


def test_xlsx_with_date_cells_numbers_and_a_title_row(tmp_path):
    data = xlsx_bytes(
        [
            ("2024年行政许可决定清单",),
            ("决定文号", "事项名称", "决定日期", "经办人"),
            ("A1", "户口迁移", dt.datetime(2024, 3, 1)),
            (None, None, None),
            (1234, "居住证", "2024/3/2", "张三"),
            ("A3", "居住证", 45352),  # an Excel serial number, not a date cell
        ]
    )
    result = scan(tmp_path, data, "f.xlsx")
    assert result.accepted == 2
    assert (result.title_lines, result.blank_lines, result.header.ignored) == (1, 1, ["经办人"])
    (bad,) = result.rejected
    assert bad.line == 6 and "45352" in bad.reason and "日期格式" in bad.reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        ("决定日期".encode("utf-16"), "UTF-16"),
        (b"\xff\xfe\xff\xfe\x81\x30" * 4 + b"\xff", "编码"),
        (b"", "没有找到表头"),
        (b"\n\n\n", "没有找到表头"),
    ],
)
def test_unreadable_files_are_refused_with_a_chinese_reason(tmp_path, data, message):
    with pytest.raises(files.FileError, match=message):
        scan(tmp_path, data)


def test_a_broken_xlsx_is_refused(tmp_path):
    with pytest.raises(files.FileError, match="Excel"):
        scan(tmp_path, b"PK\x03\x04 not really a zip", "f.xlsx")
    with pytest.raises(files.FileError, match="不是有效的 Excel"):
        scan(tmp_path, b"plain text", "f.xlsx")


def test_a_header_without_required_columns_names_them_and_the_layout(tmp_path):
    with pytest.raises(files.FileError, match="缺少必需的列：决定文号") as error:
        scan(tmp_path, csv_bytes([("决定日期", "事项名称"), ("2024-03-01", "x")]))
    assert "决定日期、决定文号、事项名称、备注（可选）" in str(error.value)


def test_a_repeated_header_column_is_refused(tmp_path):
    header = ("决定日期", "决定文号", "事项名称", "决定文号")
    with pytest.raises(files.FileError, match="出现了两次"):
        scan(tmp_path, csv_bytes([header]))


def test_header_variants_match(tmp_path):
    data = csv_bytes([(" 收费日期 ", "收费项目*", "金额(元)"), ("2024-01-05", "工本费", "20")])
    assert scan(tmp_path, data, kind="fees").accepted == 1


def test_line_numbers_count_physical_lines_of_multiline_cells(tmp_path):
    data = csv_bytes(
        [rows_ for rows_ in decisions("A1")]
        + [("2024-03-01", "A2", "第一行\n第二行"), ("2024-13-01", "A3", "x")]
    )
    result = scan(tmp_path, data)
    assert [r.line for r in result.rejected] == [5]


def test_too_many_rows_stop_the_whole_file(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    with pytest.raises(files.FileError, match="超过 3 行"):
        scan(tmp_path, csv_bytes(decisions("A1", "A2", "A3", "A4")))


# ---- every rejection reason ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("2024-02-30", "A", "x"), "不是存在的日期"),
        (("昨天", "A", "x"), "不是可识别的日期"),
        (("2023-12-31", "A", "x"), "不在本次导入期间（2024-01-01 至 2024-12-31）内"),
        (("1989-12-31", "A", "x"), "早于 1990 年"),
        (("", "A", "x"), "缺少“决定日期”"),
        (("2024-03-01", "", "x"), "缺少“决定文号”"),
        (("2024-03-01", "A", "  "), "缺少“事项名称”"),
        (("2024-03-01", "A", "x" * 201), "过长（201 字）"),
        (("2024-03-01", "A", "许可\x00事项"), "乱码或控制字符"),
        (("2024-03-01", "A", "x", "", "多余"), "多于表头的 3 列"),
    ],
)
def test_each_decision_rejection_reason(tmp_path, row, reason):
    result = scan(tmp_path, csv_bytes([("决定日期", "决定文号", "事项名称"), row]))
    assert result.accepted == 0
    (rejected,) = result.rejected
    assert rejected.line == 2 and reason in rejected.reason


def test_a_duplicate_number_within_the_file_names_the_first_line(tmp_path):
    data = csv_bytes(decisions("示公许〔2024〕1号", "A2", "示公许〔2024〕1号 "))
    result = scan(tmp_path, data)
    assert result.accepted == 2
    (dup,) = result.rejected
    assert dup.line == 4 and "与第 2 行重复" in dup.reason


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-5", "为负数"),
        ("12.345", "超过两位小数"),
        ("abc", "不是数字"),
        ("1,23,4", "不是数字"),
        ("1e3", "不是数字"),
        ("NaN", "不是数字"),
        ("2000000000000", "过大"),
        ("", "缺少“金额（元）”"),
    ],
)
def test_each_fee_amount_rejection_reason(tmp_path, amount, reason):
    data = csv_bytes([("收费日期", "收费项目", "金额（元）"), ("2024-01-05", "工本费", amount)])
    (rejected,) = scan(tmp_path, data, kind="fees").rejected
    assert reason in rejected.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", "1234.50"),
        ("¥20", "20.00"),
        ("￥20元", "20.00"),
        ("０.５", "0.50"),
        ("0", "0.00"),
    ],
)
def test_amount_forms_people_write(text, value):
    assert rows.parse_amount(text) == (Decimal(value), None)


@pytest.mark.parametrize(
    "text", ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "20240301", "２０２４－０３－０１",
             "2024-03-01 00:00:00"],
)  # fmt: skip
def test_date_forms_people_write(text):
    assert rows.parse_date(text) == (D("2024-03-01"), None)


def test_fees_sum_and_duplicate_receipts(tmp_path):
    data = csv_bytes(
        [
            ("收费日期", "收费项目", "金额（元）", "票据号码"),
            ("2024-01-05", "身份证工本费", "20", "P1"),
            ("2024-01-06", "身份证工本费", "20.50", ""),
            ("2024-01-07", "身份证工本费", "20", "P1"),
        ]
    )
    result = scan(tmp_path, data, kind="fees")
    assert (result.accepted, result.amount) == (2, Decimal("40.50"))
    assert "票据号码“P1”与第 2 行重复" in reasons(result)


# ---- the validator never raises (hypothesis) ------------------------------------------------

cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False).map(str),
    st.sampled_from(["2024-03-01", "2024年2月30日", "1,234.5", "-0", "¥", "元"]),
)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(list(rows.KINDS)), cells=st.lists(cell, max_size=7))
def test_every_row_is_accepted_or_rejected_with_a_reason(kind, cells):
    positions = {c.key: i for i, c in enumerate(rows.LAYOUTS[kind])}
    header = rows.Header(1, positions, width=len(positions))
    result = rows.RowValidator(kind, header, *YEAR).check(2, cells)
    if isinstance(result, rows.Rejected):
        assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
        assert result.reason.endswith("。")
    else:
        assert isinstance(result, rows.Accepted)
        date_key = "charged_on" if kind == rows.FEES else "decided_on"
        assert YEAR[0] <= result.values[date_key] <= YEAR[1]
        if kind == rows.FEES:
            assert Decimal(0) <= result.values["amount"] < rows.MAX_AMOUNT
        else:
            assert result.values["number"] and result.values["matter"]


# Random bytes seldom hold a header: these examples always reach the scan's checks.
_FEES_FILE = csv_bytes(
    [
        ("收费日期", "收费项目", "金额（元）"),
        ("2024-01-05", "工本费", "20"),
        ("", "", ""),
        ("2024-13-01", "工本费", "20"),
        ("2024-02-01", "复制费", "3.50"),
    ]
)


@settings(max_examples=100, deadline=None)
@example(data=_FEES_FILE)
@example(data=_FEES_FILE[:-9])
@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_scan_or_a_file_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("h") / "f.csv"
    path.write_bytes(data)
    try:
        result = rows.scan_file(path, "f.csv", "fees", *YEAR)
    except files.FileError as error:
        assert str(error)
    else:
        # A scan that did not fail found its header; each data row after it is counted
        # exactly once, as the streamed results show it; every refusal says why.
        assert result.header is not None
        again = list(rows.results(path, "f.csv", "fees", *YEAR))
        accepted = [r for r in again if isinstance(r, rows.Accepted)]
        assert len(accepted) == result.accepted
        assert [r for r in again if isinstance(r, rows.Rejected)] == result.rejected
        assert len(again) == result.accepted + len(result.rejected)
        assert sum((r.values["amount"] for r in accepted), Decimal("0.00")) == result.amount
        assert all(r.reasons and r.reason.endswith("。") for r in result.rejected)
        lines = [r.line for r in again]
        assert lines == sorted(set(lines))
