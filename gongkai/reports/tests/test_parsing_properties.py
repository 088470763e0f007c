"""Property tests: the seeds mutated as real copies differ, the parser holds.

Benign mutations (whitespace, tabs and pipes swapped, narrative re-wrapped,
traditional script) must give the same data; a changed number must be read
back or reported; the parser never raises.
"""

import functools
import itertools
import re

import opencc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.reports.cells import VALUE_ENDS, is_blank, is_value, place, placements
from gongkai.reports.engine import analyse_text
from gongkai.reports.parsing import Line, parse_text, tab_offsets, tokens_of
from gongkai.reports.tests.conftest import SEEDS, seed_text
from gongkai.reports.validation import schema_errors

TABULAR = ["haining_2021", "shizuishan_2020", "linxia_2023", "songxian_2020"]
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def original(name):
    return parse_text(seed_text(name))


def data_of(report):
    assert schema_errors(report) == []  # every output validates against schema.json
    return {
        k: report[k]
        for k in ("agency", "year", "template", "proactive", "requests", "appeals", "legacy")
    }


def is_table_line(line):
    return "|" in line or "\t" in line


@st.composite
def whitespace_mutation(draw, text):
    """Spaces around cells and inside labels, trailing blanks, doubled blank lines."""
    out = []
    for line in text.split("\n"):
        if is_table_line(line) and draw(st.booleans()):
            sep = "|" if "|" in line else "\t"
            cells = line.split(sep)
            pad = draw(st.sampled_from(["", " ", "  ", "\u3000"]))
            cells = [pad + c + pad if not re.search(r"\d", c) else " " + c + " " for c in cells]
            line = sep.join(cells)
            if draw(st.booleans()):
                # "自 然 人": a space inside the first label cell.
                first = cells[0]
                if len(first.strip()) > 2 and not re.search(r"\d", first):
                    line = first[:2] + " " + first[2:] + sep + sep.join(cells[1:])
        out.append(
            line + draw(st.sampled_from(["", " ", "\t "])) if not is_table_line(line) else line
        )
        if draw(st.integers(0, 9)) == 0:
            out.append("")
    return "\n".join(out)


def swap_separators(text, to_tabs):
    lines = []
    for line in text.split("\n"):
        if to_tabs and "|" in line:
            line = line.replace(" | ", "\t").replace("|", "\t")
        elif not to_tabs and "\t" in line:
            line = line.replace("\t", " | ")
        lines.append(line)
    return "\n".join(lines)


@st.composite
def rewrapped(draw, text):
    """Long narrative lines broken at random places (tables untouched)."""
    out = []
    for line in text.split("\n"):
        if not is_table_line(line) and len(line) > 60 and draw(st.booleans()):
            cut = draw(st.integers(20, len(line) - 20))
            out.extend([line[:cut], line[cut:]])
        else:
            out.append(line)
    return "\n".join(out)


@functools.cache
def _s2t():
    return opencc.OpenCC("s2t")


@given(name=st.sampled_from(TABULAR), data=st.data())
@FAST
def test_whitespace_does_not_change_the_data(name, data):
    mutated = data.draw(whitespace_mutation(seed_text(name)))
    assert data_of(parse_text(mutated)) == data_of(original(name))


@given(name=st.sampled_from(TABULAR), to_tabs=st.booleans())
@FAST
def test_tabs_and_pipes_are_interchangeable(name, to_tabs):
    mutated = swap_separators(seed_text(name), to_tabs)
    # A tab row keeps a blank last cell that " | " joins away: blank and 0 are
    # the same figure (a blank in a printed table means none).
    assert figures(data_of(parse_text(mutated))) == figures(data_of(original(name)))


def figures(data):
    def zero(v):
        if isinstance(v, dict):
            return {k: zero(x) for k, x in v.items()}
        return 0 if v is None else v

    return {**data, "requests": zero(data["requests"]), "appeals": zero(data["appeals"])}


@given(name=st.sampled_from(list(SEEDS)), data=st.data())
@FAST
def test_rewrapped_narrative_keeps_the_data(name, data):
    mutated = data.draw(rewrapped(seed_text(name)))
    assert data_of(parse_text(mutated)) == data_of(original(name))


def test_a_period_year_wrapped_inside_its_digits_is_still_the_year():
    """Found by the test above: haining_2021 names its year only in 统计数据时限为2021年1月1日."""
    text = seed_text("haining_2021")
    assert "时限为2021年1月1日" in text
    wrapped = text.replace("时限为2021年1月1日", "时限为2\n021年1月1日")
    assert parse_text(wrapped)["year"] == 2021


def test_traditional_script_gives_the_same_data():
    for name in SEEDS:
        report = parse_text(_s2t().convert(seed_text(name)))
        assert report["source"]["script"] == "traditional"
        assert data_of(report) == data_of(original(name)), name


def _numbers_in_tables(text):
    """(line index, match) for every number printed in a table line."""
    found = []
    for i, line in enumerate(text.split("\n")):
        if is_table_line(line):
            for m in re.finditer(r"(?<![\d.])\d+(?![\d.])", line):
                if not re.search(r"[\u4e00-\u9fff(（]", line[max(0, m.start() - 1) : m.start()]):
                    found.append((i, m))
    return found


def _cells(report):
    out = {}
    for section in ("proactive", "requests", "appeals"):
        for row, cols in report[section].items():
            for col, value in cols.items():
                out[f"{section}.{row}/{col}"] = value
    return out


@given(name=st.sampled_from(TABULAR), data=st.data())
@FAST
def test_a_changed_number_is_read_back_or_reported(name, data):
    text = seed_text(name)
    spots = _numbers_in_tables(text)
    index, match = data.draw(st.sampled_from(spots))
    new_value = data.draw(st.integers(1, 99_999).filter(lambda v: str(v) != match[0]))
    lines = text.split("\n")
    line = lines[index]
    lines[index] = line[: match.start()] + str(new_value) + line[match.end() :]
    before = analyse_text(text)
    after = analyse_text("\n".join(lines))
    assert schema_errors(after) == []
    changed = {k: v for k, v in _cells(after).items() if _cells(before).get(k) != v}
    # a 采购总金额 is read into amount_yuan (万元 × 10,000) and kept as printed beside it
    read_back = new_value in changed.values() or str(new_value) in changed.values()
    new_findings = [f for f in after["findings"] if f not in before["findings"]]
    assert read_back or new_findings, (line, new_value)


@given(text=st.text(max_size=400))
@settings(max_examples=60, deadline=None)
def test_arbitrary_text_never_raises(text):
    report = analyse_text(text)
    assert schema_errors(report) == []


@given(name=st.sampled_from(list(SEEDS)), data=st.data())
@FAST
def test_truncated_or_shuffled_reports_never_raise(name, data):
    lines = seed_text(name).split("\n")
    start = data.draw(st.integers(0, len(lines) - 1))
    end = data.draw(st.integers(start, len(lines)))
    chunk = lines[start:end]
    chunk = data.draw(st.permutations(chunk)) if data.draw(st.booleans()) else chunk
    assert schema_errors(analyse_text("\n".join(chunk))) == []


# ---- a row's cells, as the readers see them ------------------------------------------

_CELLS = st.sampled_from(["", "-", "无", "0", "3", "12", "增8", "x"])


@given(cells=st.lists(_CELLS, max_size=12), n=st.integers(1, 8), tabbed=st.booleans())
@settings(max_examples=300, deadline=None)
def test_tab_offsets_and_tokens_of_keep_to_their_definitions(cells, n, tabbed):
    """A row's cells are tested for blanks once (Line.filled): the readers' answers are
    still those of their definitions, cell by cell."""
    line = Line("", [], cells, strict=not tabbed, separated=True, tabbed=tabbed)
    blank = [is_blank(c) for c in cells]
    # tab_offsets: where n cells can start with every cell outside them blank
    expected = ()
    if tabbed and len(cells) >= n:
        expected = tuple(
            o for o in range(len(cells) - n + 1) if all(blank[:o]) and all(blank[o + n :])
        )
    assert tab_offsets(line, n) == expected
    # tokens_of: printed cells; exact positions for a strict row padded with blanks, or for
    # a row of exactly n cells once the blanks on either side are trimmed
    printed = [c for c, b in zip(cells, blank, strict=True) if not b]
    filled = [i for i, b in enumerate(blank) if not b]
    trimmed = cells[filled[0] : filled[-1] + 1] if filled else []
    if not tabbed and len(cells) >= n and all(blank[n:]):
        exact = cells[:n]
    elif len(trimmed) == n:
        exact = trimmed
    else:
        exact = None
    assert tokens_of(line, n) == (exact, printed)


@given(n=st.integers(1, 9), data=st.data())
@settings(max_examples=100, deadline=None)
def test_placements_are_every_order_keeping_way_to_fill_the_cells(n, data):
    k = data.draw(st.integers(0, n))
    figures = [f"f{i}" for i in range(k)]
    got = [way([*figures, None]) for way in placements(n, k)]
    expected = []
    for slots in itertools.combinations(range(n), k):
        cand = [None] * n
        for slot, figure in zip(slots, figures, strict=True):
            cand[slot] = figure
        expected.append(tuple(cand))
    assert got == expected


@given(st.text(st.sampled_from("0１２3 .,+-—/增减元万件条项个亿无空nulNe□x说　"), max_size=8))
@settings(max_examples=500, deadline=None)
def test_a_value_cell_ends_as_cells_value_ends_says(cell):
    """split_line takes a line for prose by its last character alone (cells.VALUE_ENDS)."""
    cell = cell.strip()
    if cell and is_value(cell):
        assert cell[-1].isdecimal() or cell[-1] in VALUE_ENDS


@given(n=st.integers(1, 9), data=st.data())
@settings(max_examples=300, deadline=None)
def test_place_without_sums_agrees_with_every_placement(n, data):
    """place's shortcut for whole numbers without sums gives what the enumeration of every
    placement gives (the figures as text take the enumeration)."""
    k = data.draw(st.integers(0, n))
    figures = data.draw(st.lists(st.integers(0, 3), min_size=k, max_size=k))
    expected = [None] * n
    if 0 < k < n:
        ways = [way([*figures, None]) for way in placements(n, k)]
        expected = [
            s.pop() if len(s := {v or 0 for v in column}) == 1 else None
            for column in zip(*ways, strict=True)
        ]
    elif k == n:
        expected = figures
    assert place(figures, n) == expected
