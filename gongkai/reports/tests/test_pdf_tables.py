"""Real PDFs: tables read from their geometry (pdfplumber's ruled cells), merged cells
taken once, so no figure moves into its neighbour's column (issue 16, failure class 5)."""

from gongkai.reports import accuracy, engine


def test_a_ruled_pdf_with_merged_cells_and_blank_cells_reads_back_every_cell():
    # 上海 2019: blank cells printed empty beside merged label cells (（一）予以公开 spans
    # two columns); the covered positions once shifted 258 and 12 one column right.
    truth = next(t for t in accuracy.truth_reports() if t["name"] == "shanghai_bgt_2019")
    report = engine.analyse_bytes(accuracy.pdf_of(truth), filename="上海.pdf")
    right, blank, wrong, silent, cells = accuracy.score(report, truth)
    assert (wrong, silent, blank) == (0, 0, 0), cells
    assert report["requests"]["granted"]["natural_person"] == 258
