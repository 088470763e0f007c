"""Scans: OCR of a real-looking page image, and the sums that confirm, correct or reject
what OCR read (a misread figure is never printed as fact)."""

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.reports import accuracy, engine, ocr, parsing
from gongkai.reports.cells import UNREADABLE
from gongkai.reports.render import render

TESTDATA = Path(__file__).parent / "testdata"
TABLE4 = [376, 97, 196, 121, 790, 16, 1, 12, 27, 56, 74, 1, 30, 51, 156]

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="tesseract 未安装（make ocr）")


def truth(name):
    return next(t for t in accuracy.truth_reports() if t["name"] == name)


def pipe_text(report):
    return render(report, "txt").decode("utf-8")


def read_back(text):
    """The report OCR text reads as, after the sums had their say."""
    return ocr.verify(parsing.parse_text(text), text)


# ---- The engine on a scan (one small image: a few seconds) --------------------------------


@needs_ocr
def test_a_scanned_table_is_read_from_its_geometry_and_every_figure_kept_is_right():
    # A JPEG of table 四 as a noisy 200 dpi scan of a laid-out report (made by
    # accuracy.scan_of): rules found and erased, figures read twice.
    page = ocr.read_page(ocr.open_image((TESTDATA / "scan_table4.jpg").read_bytes()))
    rows = [ln for ln in page.lines if ln.startswith("|") and re.search(r"\d", ln)]
    figures = [c.strip() for c in rows[-1].strip("|").split("|")]
    assert len(figures) == 15
    taken = [(i, f) for i, f in enumerate(figures) if f != UNREADABLE]
    assert len(taken) >= 12
    assert all(int(f) == TABLE4[i] for i, f in taken)  # never a misread kept
    assert all(0 <= f["confidence"] <= 100 for f in page.figures)


def test_a_column_rule_is_found_although_text_far_below_it_fills_the_pixel_columns_beside_it():
    # 洪泽区 2024 (a real PDF, printed and scanned): the thin rule between 科研机构 and
    # 社会公益组织 stands in pixel columns whose neighbours hold strokes of the text far
    # below the table; taken with them as one thick "box" it was dropped, and every row
    # then printed 6 figures (the rule between two 0s read as "010") instead of 7.
    from PIL import Image, ImageDraw

    page = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(page)
    for y in (50, 100, 150):
        draw.line([(50, y), (500, y)], fill=0, width=2)
    for x in (50, 200, 350, 500):
        draw.line([(x, 50), (x, 150)], fill=0, width=2)
    for x in range(185, 218):  # text strokes beside x=200, 450 px below the table
        draw.line([(x, 600 + (x % 7)), (x, 640 + (x % 7))], fill=0, width=1)
    [table], _h, _v = ocr.find_tables(page)
    rows = [[c for c in table.cells if c.top == b] for b in range(len(table.bands))]
    assert [len(r) for r in rows] == [3, 3]
    assert all(abs(c.x0 - a) <= 2 for c, a in zip(rows[0], (50, 200, 350), strict=True))


def test_the_last_row_of_a_table_cut_by_the_page_end_without_its_closing_rule_is_kept():
    # 洪泽区 2023, page 3: table 三 goes on over the page, and its last row on the page
    # ("2.没有现成信息需要另行制作") has column rules but no rule below it.
    from PIL import Image, ImageDraw

    def page(closed):
        img = Image.new("L", (600, 400), 255)
        draw = ImageDraw.Draw(img)
        for y in (50, 100, 150) + ((200,) if closed else ()):
            draw.line([(50, y), (500, y)], fill=0, width=2)
        for x in (50, 200, 350, 500):
            draw.line([(x, 50), (x, 200)], fill=0, width=2)
        draw.text((70, 360), "-3-", fill=0)  # the page number well below
        return img

    [cut], _h, _v = ocr.find_tables(page(closed=False))
    [closed], _h, _v = ocr.find_tables(page(closed=True))
    assert len(cut.bands) == len(closed.bands) == 3
    assert abs(cut.bands[-1][1] - closed.bands[-1][1]) <= 2
    assert len([c for c in cut.cells if c.top == 2]) == 3
    # A table closed by its rule gets no row below it.
    img = page(closed=True)
    ImageDraw.Draw(img).line([(200, 200), (200, 215)], fill=0, width=2)  # a rule overshooting
    [table], _h, _v = ocr.find_tables(img)
    assert len(table.bands) == 3


@needs_ocr
def test_a_figure_merged_across_the_columns_of_the_block_above_is_read():
    # Table 二 as agencies lay it out (淮安 2024, 洪泽区 2024): one ruled table whose
    # 第二十条第（五）项 block holds one figure merged across the three columns above.
    # That row was taken for one whose rules went unseen and printed as three □.
    import pypdfium2
    import weasyprint

    td = 'style="border:1px solid #000;padding:6px 10px"'
    html = f"""<table style="border-collapse:collapse;font-size:15pt;margin:40px">
      <tr><td {td} colspan="4">第二十条第（一）项</td></tr>
      <tr><td {td}>信息内容</td><td {td}>本年制发件数</td><td {td}>本年废止件数</td>
          <td {td}>现行有效件数</td></tr>
      <tr><td {td}>规章</td><td {td}>0</td><td {td}>0</td><td {td}>0</td></tr>
      <tr><td {td}>行政规范性文件</td><td {td}>3</td><td {td}>0</td><td {td}>8</td></tr>
      <tr><td {td} colspan="4">第二十条第（五）项</td></tr>
      <tr><td {td}>信息内容</td><td {td} colspan="3">本年处理决定数量</td></tr>
      <tr><td {td}>行政许可</td><td {td} colspan="3">9487</td></tr>
    </table>"""
    pdf = pypdfium2.PdfDocument(weasyprint.HTML(string=html).write_pdf())
    image = pdf[0].render(scale=200 / 72, grayscale=True).to_pil()
    rows = [ln.strip("|").split("|") for ln in ocr.read_page(image).lines]
    figures = [[c.strip() for c in cells[1:]] for cells in rows]
    assert ["3", "0", "8"] in figures
    assert figures[-1] == ["9487"]


def test_scans_are_refused_where_ocr_is_not_allowed_with_a_chinese_reason():
    data = (TESTDATA / "scan_table4.jpg").read_bytes()
    with pytest.raises(engine.ScannedPdf, match="扫描件") as caught:
        engine.analyse_bytes(data, filename="表四.jpg")
    assert "gongkai report check" in str(caught.value)
    assert "最多识别 2 页" in engine.scan_refused(5, 2)


def test_an_image_that_is_not_one_is_refused():
    with pytest.raises(engine.UnsupportedInput, match="PNG/JPEG"):
        engine.analyse_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, filename="x.png", ocr_pages=1)
    with pytest.raises(engine.UnsupportedInput, match="不是 PNG/JPEG"):
        engine.analyse_bytes(b"hello", filename="x.png", ocr_pages=1)


# ---- The sums after OCR ----------------------------------------------------------------


def _replace_cell(text, label, col, new):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("|") and label in line.split("|")[1]:
            cells = line.strip()[1:-1].split("|")
            cells[col] = f" {new} "
            lines[i] = "|" + "|".join(cells) + "|"
            return "\n".join(lines)
    raise AssertionError(label)


def test_a_figure_ocr_could_not_read_is_filled_from_two_sums_that_agree():
    report = truth("hangzhou_2025")
    text = _replace_cell(pipe_text(report), "5.属于三类内部事务信息", 1, UNREADABLE)
    parsed = read_back(text)
    assert parsed["requests"]["denied.internal_affairs"]["natural_person"] == 103
    said = [f for f in parsed["findings"] if f["where"].endswith("internal_affairs/natural_person")]
    assert [f["severity"] for f in said] == ["info"]
    assert "合计关系" in said[0]["message"]


def test_a_misread_figure_that_breaks_the_sums_is_blanked_or_put_right_never_printed():
    report = truth("hangzhou_2025")
    text = _replace_cell(pipe_text(report), "5.属于三类内部事务信息", 1, "108")
    parsed = read_back(text)
    assert parsed["requests"]["denied.internal_affairs"]["natural_person"] in (None, 103)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells


def test_a_misread_in_table_four_blanks_its_group_with_a_finding():
    report = truth("hangzhou_2025")
    text = pipe_text(report).replace("| 376 | 97 |", "| 876 | 97 |")
    parsed = read_back(text)
    assert parsed["appeals"]["reconsideration"]["upheld"] is None
    assert any(f["where"] == "appeals.reconsideration/upheld" for f in parsed["findings"])
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells


_SUMMED = [
    (row, col)
    for row in (
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "1.属于国家秘密",
        "3.危及“三安全一稳定”",
        "1.本机关不掌握相关政府信息",
        "（七）总计",
        "四、结转下年度继续办理",
    )
    for col in range(1, 8)
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    # Reports whose table 三 prints every cell: each figure is in sums wholly printed.
    name=st.sampled_from(["hangzhou_2025", "linxia_2023", "shizuishan_2020", "songxian_2020"]),
    misreads=st.lists(
        st.tuples(st.sampled_from(_SUMMED), st.integers(0, 2)), min_size=1, max_size=3
    ),
    seed=st.integers(0, 10**6),
)
def test_any_misreads_of_summed_figures_are_never_printed_as_fact(name, misreads, seed):
    """Take a correct report as OCR would print it, misread up to three figures of table 三
    (a digit changed, or unreadable): every cell is read back right or left blank with
    a finding."""
    report = truth(name)
    text = pipe_text(report)
    rng = random.Random(seed)
    for (label, col), how in misreads:
        if label not in text:
            continue
        if how == 0:
            new = UNREADABLE
        else:
            new = str(rng.randrange(1, 500))
        try:
            text = _replace_cell(text, label, col, new)
        except AssertionError:
            continue
    parsed = read_back(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    # Table 二 has no sums and is not misread here; tables 三 and 四 are checked.
    assert (wrong, silent) == (0, 0), cells


@needs_ocr
def test_a_scan_read_where_ocr_is_allowed_says_so_and_keeps_every_figures_confidence():
    data = (TESTDATA / "scan_table4.jpg").read_bytes()
    report = engine.analyse_bytes(data, filename="表四.jpg", ocr_pages=1)
    first = report["findings"][0]
    assert first["where"] == "source" and first["message"].startswith("这是扫描件")
    ocr_meta = report["source"]["ocr"]
    assert ocr_meta["pages"] == 1 and "tesseract" in ocr_meta["engine"]
    assert all("confidence" in f and "taken" in f for f in ocr_meta["figures"])
    from gongkai.reports.validation import schema_errors

    assert schema_errors(report) == []


def _as_ocr_prints(report, garble):
    """The report's text with table 三's labels garbled the way OCR garbles them."""
    lines = pipe_text(report).split("\n")
    start = next(i for i, ln in enumerate(lines) if "收到和处理政府信息公开申请情况" in ln)
    out, n = [], 0
    for i, line in enumerate(lines):
        cells = line.strip().strip("|").split("|") if line.startswith("|") else None
        if cells and i > start and re.fullmatch(r"\s*\d+\s*", cells[-1]) and "行政复议" not in line:
            cells[0] = garble(n, cells[0])
            n += 1
            line = "|" + "|".join(cells) + "|"
        out.append(line)
    return "\n".join(out)


def test_table_three_rows_take_their_template_labels_by_position_when_aligned():
    report = truth("hangzhou_2025")
    # Every third label unreadable: the rest sit at their own places.
    text = _as_ocr_prints(report, lambda n, label: "亓夭乂" if n % 3 == 0 else label)
    parsed = read_back(ocr.label_by_position(text))
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (blank, wrong, silent) == (0, 0, 0), cells


def test_rows_out_of_their_place_are_not_relabelled():
    report = truth("hangzhou_2025")
    swapped = {4: "2.其他法律行政法规禁止公开", 5: "1.属于国家秘密"}
    text = _as_ocr_prints(report, lambda n, label: swapped.get(n, "亓夭乂" if n > 6 else label))
    assert ocr.label_by_position(text) == text


def test_a_figure_outside_ruled_cells_read_with_low_confidence_is_not_taken():
    # (left, top, width, height, confidence, text, engine line)
    line = (1, 1, 1, 1)
    words = [
        (10, 100, 200, 30, 96.0, "行政许可", line),
        (300, 100, 40, 30, 97.0, "12", line),
        (400, 100, 40, 30, 41.0, "18", line),
    ]
    [(top, text)] = ocr.loose_lines(words)
    assert text == f"行政许可 12 {UNREADABLE}"


def test_a_total_the_scan_lost_in_a_row_of_figures_is_unknown_not_a_printed_blank():
    # 淮安 2024 as a scan: 6.属于四类过程性信息 unread (12 … 12), 2.没有现成信息需要另行制作
    # unread in 自然人 and its 总计 lost (blank). Taken as a printed blank, the 总计 column
    # gave 6. 23 instead of 12 (a wrong figure printed as fact).
    report = truth("huaian_2024")
    text = pipe_text(report)
    text = _replace_cell(text, "6.属于四类过程性信息", 1, UNREADABLE)
    text = _replace_cell(text, "6.属于四类过程性信息", 7, UNREADABLE)
    text = _replace_cell(text, "2.没有现成信息需要另行制作", 1, UNREADABLE)
    text = _replace_cell(text, "2.没有现成信息需要另行制作", 7, "")
    parsed = read_back(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells
    assert parsed["requests"]["denied.process_info"]["natural_person"] in (None, 12)


def test_a_table_four_row_with_a_figure_unread_and_one_lost_places_none_of_them():
    # 上海市政府办公厅 2025 as a scan: table 四 read as 14 cells (55 lost), four of them "□".
    # The 14 could not be placed, yet 行政复议's 维持/其他/尚未审结 were printed as 0.
    report = truth("shanghai_bgt_2025")
    row = "| 40 | 0 | 10 | 5 | 55 | 2 | 0 | 4 | 6 | 12 | 6 | 0 | 9 | 7 | 22 |"
    text = pipe_text(report)
    assert row in text
    lost = f"| {UNREADABLE} | 0 | {UNREADABLE} | {UNREADABLE} | 2 | 0 | 4 | 6 | {UNREADABLE} "
    text = text.replace(row, lost + f"| 6 | 0 | {UNREADABLE} | 7 | 22 |")
    parsed = read_back(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells
