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


# ---- Real layouts: the agencies' own PDFs printed and scanned (scan-pdf) -------------------


def _scanned_html(html, seed):
    """A page laid out by WeasyPrint, printed and scanned (accuracy.scanned), as an image."""
    import weasyprint

    pdf = weasyprint.HTML(string=html).write_pdf()
    return next(ocr.pdf_images(accuracy.scanned(pdf, random.Random(seed))))


def _cells_of(page):
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in page.lines]


_TD = 'style="border:1px solid #000;padding:8px 10px;text-align:center"'


@needs_ocr
def test_small_light_figures_are_read_where_the_page_threshold_breaks_their_strokes():
    # 淮安 2024: table 三's figures in a thin serif font, small and grey. The page image
    # made black-and-white at a fixed level lost half their strokes ("103" read "104",
    # "447" as "47", lone "0"s dropped): 43-46 of these 49 were read, the rest "□".
    rows = [
        ("一、本年新收政府信息公开申请数量", [3001, 53, 0, 0, 61, 4, 3119]),
        ("（二）部分公开", [447, 7, 0, 0, 0, 0, 454]),
        ("1.本机关不掌握相关政府信息", [746, 12, 0, 0, 10, 1, 769]),
        ("2.其他法律行政法规禁止公开", [30, 1, 0, 0, 0, 0, 31]),
        ("四、结转下年度继续办理", [103, 0, 0, 0, 0, 0, 103]),
        ("2.没有现成信息需要另行制作", [11, 0, 0, 0, 0, 0, 11]),
        ("（六）其他处理", [67, 3, 0, 0, 1, 0, 71]),
    ]
    td = 'style="border:1px solid #000;padding:10px 6px;text-align:center"'
    font = 'style="color:#888;font-size:8pt;font-family:serif"'
    body = "".join(
        f"<tr><td {td}>{label}</td>"
        + "".join(f"<td {td}><span {font}>{v}</span></td>" for v in row)
        + "</tr>"
        for label, row in rows
    )
    html = f'<table style="border-collapse:collapse;font-size:10pt;width:100%">{body}</table>'
    page = ocr.read_page(_scanned_html(html, "light"))
    rows = [row for _label, row in rows]
    got = [cells[1:] for cells in _cells_of(page)]
    pairs = [
        (g, str(w))
        for got_row, row in zip(got, rows, strict=True)
        for g, w in zip(got_row, row, strict=True)
    ]
    assert all(g in (w, UNREADABLE) for g, w in pairs)  # never a misread kept
    assert sum(g == w for g, w in pairs) >= 48


def test_a_figure_is_taken_when_two_of_its_three_readings_agree_surely():
    page, digits, normal = ("3", 66.0), ("3", 36.0), ("31", 89.0)
    # "31" read "3" twice, unsurely: the two agree, but the less sure is under AGREE_CONF.
    assert ocr.decide(page, digits, normal)[2] is False
    assert ocr.decide(("447", 89.0), ("47", 0.0), ("447", 96.0)) == ("447", 96.0, True)
    assert ocr.decide(("1034", 73.0), ("104", 77.0), ("103", 97.0))[2] is False
    # Nothing read by the page and the digit pass, the normalised pass sure: taken alone.
    assert ocr.decide(("", 0.0), ("", 100.0), ("4", 95.0)) == ("4", 95.0, True)
    # ... unsure: a blank, as when it read nothing either.
    assert ocr.decide(("", 0.0), ("", 100.0), ("4", 40.0))[::2] == ("", True)
    assert ocr.decide(("", 0.0), ("", 100.0), ("", 100.0))[::2] == ("", True)
    # A page reading with no digit ("四" for "12") does not keep a sure digit pass out.
    assert ocr.decide(("四", 87.0), ("12", 95.0), ("", 100.0)) == ("12", 95.0, True)
    # A mark beside a figure does: the digit passes read it as digits too.
    assert ocr.decide(("43", 90.0), ("1243", 95.0), ("1243", 96.0), marked=True)[2] is False
    assert ocr._marked("增43") and ocr._marked("251000元") and ocr._marked("12%")
    assert not ocr._marked("四") and not ocr._marked("35S1") and not ocr._marked("1,288.5")
    assert not ocr._marked("")  # nothing read: no mark


def test_a_page_word_running_over_its_cell_is_not_the_cells_reading():
    # 洪泽区: figures printed close, their rules erased: the page pass reads "0000" as one
    # word over four cells, and the cell holding its centre took it for its own.
    cell = ocr.Cell(0, 0, 100, 180, 0, 60)
    cell.words = [(20, 30, "0000", 96.0, 20, 300)]  # (y, x, text, conf, height, width)
    assert ocr._own_reading(cell) == ("", 100.0)
    cell.words = [(20, 130, "7", 91.0, 20, 12), (20, 144, "1", 88.0, 20, 8)]
    assert ocr._own_reading(cell) == ("71", 88.0)


def test_section_headings_ocr_misread_are_mended_so_the_tables_are_found():
    # 淮安 2024 as a scan: table 四's heading read with two characters wrong and two marks
    # added; the parser found no table 四 under it (15 cells blank).
    report = truth("huaian_2024")
    text = pipe_text(report).replace(
        "四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开;了政复议、:了政诉讼情况"
    )
    assert read_back(text)["appeals"]["reconsideration"]["total"] is None
    mended = ocr.mend_headings(text)
    assert "四、政府信息公开行政复议、行政诉讼情况" in mended
    assert read_back(mended)["appeals"]["reconsideration"]["total"] == 351
    # A line that is not the heading stays as it is.
    other = "五、存在的主要问题日及改进和风，情况"
    assert ocr.mend_headings(other) == other
    assert ocr.mend_headings("四、政府信息公开工作") == "四、政府信息公开工作"


def test_table_three_is_relabelled_under_a_misread_heading_and_group_only_labels():
    # 淮安 2024 as a scan: "三、收到和处理政府信息公开□请情况" (申 unsure), and the row
    # "（六）其他处理 1、申请人无正当理由逾期不补正…" read so garbled that only its group
    # (其他) was recognised: the rows were left unlabelled (100 cells blank).
    report = truth("huaian_2024")
    text = _as_ocr_prints(report, lambda n, label: "亓夭乂" if n % 3 == 0 else label)
    text = text.replace(
        "收到和处理政府信息公开申请情况", f"收到和处理政府信息公开{UNREADABLE}请情况"
    )
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if "申请人无正当理由逾期不补正" in ln)
    cells = lines[at].split("|")
    cells[1] = " （六）其他处理 1、申请人无正当理由谊期不补止 "
    lines[at] = "|".join(cells)
    text = "\n".join(lines)
    parsed = read_back(ocr.label_by_position(text))
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (blank, wrong, silent) == (0, 0, 0), cells


@needs_ocr
def test_a_header_row_with_a_cell_read_empty_is_not_a_row_of_unreadable_figures():
    # 淮安 2024, table 四: a header cell whose words were lost (or read "2") made its row
    # one with too few figure cells, printed as 15 "□" the parser took for table 四's
    # figures, and the real row of figures was never read.
    html = f"""<table style="border-collapse:collapse;font-size:12pt;margin:40px">
      <tr><td {_TD}>结果维持</td><td {_TD}>结果纠正</td><td {_TD}></td><td {_TD}>尚未审结</td>
          <td {_TD}>总计</td></tr>
      <tr><td {_TD}>72</td><td {_TD}>64</td><td {_TD}>178</td><td {_TD}>37</td>
          <td {_TD}>351</td></tr>
    </table>"""
    header, figures = _cells_of(ocr.read_page(_scanned_html(html, "fg")))
    assert UNREADABLE not in header and len(header) == 5
    assert figures == ["72", "64", "178", "37", "351"]


@needs_ocr
def test_a_figure_cell_wider_than_half_its_table_is_read_as_a_figure():
    # 洪泽区 2023, table 二: 行政许可's figure, one cell across the three columns of the
    # block above and wider than half the table, was taken for a label and printed as the
    # page pass read it ("S50"), never read by the digit passes nor given a confidence.
    html = f"""<table style="border-collapse:collapse;font-size:12pt;margin:40px">
      <tr><td {_TD} colspan="4">第二十条第（一）项</td></tr>
      <tr><td {_TD}>信息内容</td><td {_TD}>本年制发件数</td><td {_TD}>本年废止件数</td>
          <td {_TD}>现行有效件数</td></tr>
      <tr><td {_TD}>规章</td><td {_TD}>0</td><td {_TD}>0</td><td {_TD}>0</td></tr>
      <tr><td {_TD} colspan="4">第二十条第（五）项</td></tr>
      <tr><td {_TD}>信息内容</td><td {_TD} colspan="3">本年处理决定数量</td></tr>
      <tr><td {_TD}>行政许可</td><td {_TD} colspan="3">550</td></tr>
    </table>"""
    page = ocr.read_page(_scanned_html(html, "fg"))
    assert _cells_of(page)[-1] == ["行政许可", "550"]
    [figure] = [f for f in page.figures if f["row"] == "行政许可"]
    assert figure["taken"] and figure["confidence"] >= ocr.MIN_CONF


def test_strokes_of_a_bold_heading_below_a_table_make_no_row_of_it():
    # 淮安 2024, page 5: table 四 closed by its rule, then the bold heading "五、存在的主要
    # 问题…": strokes of it and of table 四's own heading stand in the pixel columns of
    # the column rules, and were taken for the rules running on over a page break, so a
    # row was added below the table (the heading read as a table row).
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 600), 255)
    draw = ImageDraw.Draw(img)
    for y in (100, 250, 300):  # a tall header row and a row of figures
        draw.line([(50, y), (500, y)], fill=0, width=2)
    for x in (50, 200, 350, 500):
        draw.line([(x, 100), (x, 300)], fill=0, width=2)
        draw.line([(x, 40), (x, 80)], fill=0, width=5)  # the heading above
        draw.line([(x, 340), (x, 380)], fill=0, width=5)  # the heading below
    [table], _h, _v = ocr.find_tables(img)
    assert table.bands[-1][1] == 300


@needs_ocr
def test_a_sign_or_unit_beside_a_figure_never_makes_the_digit_passes_agree_on_a_wrong_one():
    # The 2019 format's table 二 prints "增43" and "8550340元": the digit-only passes read
    # 增 as digits ("1243" both of them) and agreed, so "增1243" was printed as fact in a
    # table that has no sums to catch it.
    html = f"""<table style="border-collapse:collapse;font-size:12pt;margin:40px">
      <tr><td {_TD}>信息内容</td><td {_TD}>上一年项目数量</td><td {_TD}>本年增减</td>
          <td {_TD}>处理决定数量</td></tr>
      <tr><td {_TD}>行政许可</td><td {_TD}>40</td><td {_TD}>增8</td><td {_TD}>16</td></tr>
      <tr><td {_TD}>行政处罚</td><td {_TD}>247</td><td {_TD}>增43</td><td {_TD}>750</td></tr>
      <tr><td {_TD}>政府集中采购</td><td {_TD}>9</td><td {_TD}>8550340元</td>
          <td {_TD}>减2</td></tr>
    </table>"""
    want = [["40", "增8", "16"], ["247", "增43", "750"], ["9", "8550340元", "减2"]]
    for seed in ("marks", "m3"):
        got = [cells[1:] for cells in _cells_of(ocr.read_page(_scanned_html(html, seed)))[1:]]
        pairs = [
            (g, w) for gr, wr in zip(got, want, strict=True) for g, w in zip(gr, wr, strict=True)
        ]
        assert all(g in (w, UNREADABLE) for g, w in pairs), got
    assert sum(g == w for g, w in pairs) >= 7  # seed m3: the marked figures read too
    assert ocr.decide(("43", 90.0), ("1243", 95.0), ("1243", 96.0), marked=True)[2] is False
    assert ocr.decide(("43", 90.0), ("43", 95.0), ("1243", 96.0), marked=True)[:1] == ("43",)


def test_a_sign_read_without_its_figure_is_a_figure_unread_never_a_printed_blank():
    # 平潭 2020's table 二 prints "减1": the page pass read "减" alone, both digit passes
    # read "1", which, as long as the sign, was taken off as the sign misread; the cell
    # came out a sure blank and the report printed it blank with no finding.
    text, _conf, sure, read = ocr.figure_cell(("减", 91.0), ("1", 93.0), ("1", 95.0))
    assert (text, sure) == ("", False)
    assert read == "减/"
    # A cell nothing was read in is a printed blank; a marked figure read whole is kept.
    assert ocr.figure_cell(("", 0.0), ("", 100.0), ("", 100.0))[::2] == ("", True)
    assert ocr.figure_cell(("减1", 91.0), ("41", 93.0), ("41", 95.0))[::2] == ("减1", True)
    unit = ocr.figure_cell(("251000元", 91.0), ("2510007", 93.0), ("251000", 95.0))
    assert unit[::2] == ("251000元", True)
