"""Table rows as copies break them: labels wrapped, values on the next line, spaces."""

from gongkai.reports.parsing import parse_text

HEAD = "某县公安局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"


def requests_of(body):
    return parse_text(HEAD + body)["requests"]


def test_values_on_the_line_after_their_label():
    rows = requests_of("一、本年新收政府信息公开申请数量\n4 | 0 | 0 | 0 | 1 | 0 | 5\n")
    assert rows["new"] == {
        "natural_person": 4,
        "commercial": 0,
        "research": 0,
        "social_welfare": 0,
        "legal_service": 1,
        "other_org": 0,
        "total": 5,
    }


def test_label_wrapped_over_two_lines():
    rows = requests_of(
        "4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0\n"
        "5.要求行政机关确认或重新出\n具已获取信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1\n"
    )
    assert rows["not_processed.confirm_or_reissue"]["natural_person"] == 1
    assert rows["not_processed.confirm_or_reissue"]["total"] == 1


def test_space_separated_row_with_spaces_inside_the_label():
    rows = requests_of("（七） 总 计 2 0 0 0 0 1 3\n")
    assert rows["total"] == {
        "natural_person": 2,
        "commercial": 0,
        "research": 0,
        "social_welfare": 0,
        "legal_service": 0,
        "other_org": 1,
        "total": 3,
    }


def test_full_width_digits_and_separators():
    rows = requests_of("二、上年结转政府信息公开申请数量｜１｜０｜０｜０｜０｜０｜１\n")
    assert rows["carried_over"]["natural_person"] == 1 and rows["carried_over"]["total"] == 1
