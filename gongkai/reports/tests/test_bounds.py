"""Issue 13 #1 and #11: what a hostile upload to the public 年报体检 page can cost.

One ZIP check for the page and the attachments app (gongkai.safezip); limits of the
readers (PDF pages and streams, text size, JSON nesting, long numbers, broken
UTF-16); the engine in a child process with a memory and a time limit; a rate
limit per client address; and a small fuzz sample through the page's own path.
"""

import io
import resource
import stat
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongkai import safezip
from gongkai.attachments.uploads import UploadRejected, validate_upload
from gongkai.reports import engine, fuzz, sandbox
from gongkai.reports.engine import UnsupportedInput

TESTDATA = Path(__file__).parent / "testdata"
HAINING = (TESTDATA / "000_fabcd17deb21b667.txt").read_text(encoding="utf-8")
URL = reverse("reports:checkup")


@pytest.fixture(scope="module")
def docx():
    return fuzz.renderings_of(HAINING, pdf=False)["docx"]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refused(data, filename):
    with pytest.raises(UnsupportedInput) as caught:
        engine.analyse_bytes(data, filename=filename)
    return str(caught.value)


# ---- #1: the DOCX bomb -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_232_kb_docx_bomb_is_refused_without_the_server_growing(client, docx):
    bomb = fuzz.docx_bomb(docx)
    assert 200_000 < len(bomb) < 260_000
    before = peak_rss_mb()
    message = refused(bomb, "年报.docx")
    assert "压缩炸弹" in message and "年报.docx" in message
    response = client.post(URL, {"file": SimpleUploadedFile("年报.docx", bomb)})
    assert response.status_code == 400
    assert "压缩炸弹" in response.content.decode()
    # The probe saw 79 MB → 490 MB for this file; now nothing is unpacked.
    assert peak_rss_mb() - before < 50


def test_the_attachments_app_and_the_engine_share_one_zip_check(docx):
    """A path trick the attachments app never looked for is now refused by both."""
    parts = fuzz._docx_parts(docx)
    parts["../../etc/cron.d/x"] = b"x"
    tricked = fuzz._zip(parts)
    upload = SimpleUploadedFile("申请.docx", tricked)
    with pytest.raises(UploadRejected) as caught:
        validate_upload(upload, max_bytes=10 * safezip.MIB)
    assert "“..”" in str(caught.value)
    assert "“..”" in refused(tricked, "年报.docx")


# ---- the shared ZIP check ----------------------------------------------------------------


def zipped(members, **kwargs):
    return fuzz._zip(members, **kwargs)


def rejected(data):
    with pytest.raises(safezip.ZipRejected) as caught:
        safezip.check(data, "a.docx")
    return str(caught.value)


def test_a_normal_docx_passes(docx):
    assert any(i.filename == "word/document.xml" for i in safezip.check(docx, "a.docx"))


@pytest.mark.parametrize(
    ("member", "says"),
    [
        ("/etc/passwd", "绝对路径"),
        ("C:/x.xml", "绝对路径"),
        ("word/../../x.xml", "“..”"),
        ("word\\x.xml", "反斜杠"),
        ("word/\x01.xml", "控制字符"),
    ],
)
def test_path_tricks_are_refused(member, says):
    assert says in rejected(zipped({"word/document.xml": b"<x/>", member: b"x"}))


def test_duplicate_names_and_symbolic_links_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, pytest.warns(UserWarning):
        archive.writestr("word/document.xml", b"<a/>")
        archive.writestr("word/document.xml", b"<b/>")
    assert "重复" in rejected(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        link = zipfile.ZipInfo("word/document.xml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert "符号链接" in rejected(out.getvalue())


def test_one_part_that_unpacks_far_beyond_its_size_is_a_bomb():
    data = zipped({"word/document.xml": b"<w:p/>" * (2 * safezip.MIB // 6), "a": b"x" * 10})
    message = rejected(data)
    assert "压缩炸弹" in message and "word/document.xml" in message


def test_nested_archives_count_and_deeper_nesting_is_refused():
    assert "多层嵌套" in rejected(fuzz.nested_zip(depth=2))
    inner = zipped({f"p{i}": b"" for i in range(30)})
    one_level = zipped({"word/document.xml": b"<x/>", "word/embeddings/a.xlsx": inner})
    assert safezip.check(one_level, "a.docx")  # an embedded sheet is normal
    original = safezip.MAX_ENTRIES
    safezip.MAX_ENTRIES = 20
    try:
        assert "个部件" in rejected(one_level)  # the nested archive's parts are counted
    finally:
        safezip.MAX_ENTRIES = original


# ---- readers' limits and #11 ---------------------------------------------------------------


def test_malformed_utf16_is_a_chinese_cannot_read():
    broken = b"\xff\xfe" + HAINING[:500].encode("utf-16-le") + b"\x00\xd8x"
    message = refused(broken, "年报.txt")
    assert message.startswith("无法读取") and "UTF-16" in message
    message = refused(b"\xfe\xff" + HAINING[:500].encode("utf-16-be") + b"x", "年报.txt")
    assert message.startswith("无法读取")


def test_a_number_of_5000_digits_is_a_finding_not_a_crash():
    text = HAINING.replace("| 0 | 0 | 0 | |", "| " + "9" * 5000 + " | 0 | 0 | |", 1)
    text += "\n共收到申请" + "1" * 5000 + "件。\n| 合计 | " + "9" * 400 + ".5 |\n"
    report = engine.analyse_bytes(text.encode("utf-8"), filename="年报.txt")
    unread = [f for f in report["findings"] if f["message"].startswith("无法读取")]
    assert len(unread) == 3 and all(f["rule"] == "PARSE" for f in unread)
    assert "5000 位数字" in unread[0]["message"]
    assert report["proactive"]["rules"]["made"] is None  # never read as a number
    assert engine.analyse_text(text)["year"] == 2021


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format":"gongkai.annual-report/1","x":' + b"[" * 900 + b"]" * 900 + b"}",
        b'{"format":"gongkai.annual-report/1","year":' + b"9" * 5000 + b"}",
    ],
    ids=["deeper-than-the-stack", "deep-but-loadable", "huge-integer"],
)
def test_hostile_json_is_a_chinese_cannot_read(data):
    assert refused(data, "年报.json").startswith("无法读取")


def test_a_csv_field_beyond_the_csv_limit_is_refused_in_chinese():
    data = b"agency,year,section,row,column,value\n" + b"x" * 200_000 + b"\n"
    assert refused(data, "年报.csv").startswith("无法读取")


def test_deep_html_and_oversized_text_are_read_or_refused_cleanly():
    deep = b"<html><body>" + b"<div>" * 50_000 + b"x" + b"</div>" * 50_000
    assert engine.analyse_bytes(deep, filename="a.html")["year"] is None
    assert "万字" in refused(("一" * (engine.MAX_TEXT_CHARS + 1)).encode(), "a.txt")


def test_pdf_limits_pages_and_compressed_streams():
    assert "页" in refused(fuzz.many_pages_pdf(engine.extract.PDF_MAX_PAGES + 1), "a.pdf")
    message = refused(fuzz.pdf_stream_bomb(16), "a.pdf")
    assert "压缩炸弹" in message


# ---- the bounded child -------------------------------------------------------------------


CELLS = ("| 0 " * 1_000_000 + "|\n").encode()  # 4 MB that needs ~115 MB and ~5 s to read


def test_a_file_that_needs_more_memory_than_allowed_is_stopped_in_the_child():
    outcome = sandbox.run(CELLS, filename="a.txt", memory=100 * sandbox.MIB, seconds=30)
    assert outcome.breach == "memory" and outcome.traceback is None
    assert outcome.error.startswith("无法读取") and "100 MB" in outcome.error


def test_a_file_that_takes_too_long_is_stopped_in_the_child():
    started = time.monotonic()
    outcome = sandbox.run(CELLS, filename="a.txt", seconds=0.5)
    assert outcome.breach == "time" and outcome.report is None
    assert "0.5 秒" in outcome.error
    assert time.monotonic() - started < 3


def test_the_child_returns_the_report_and_its_figures():
    outcome = sandbox.run(HAINING.encode(), filename="a.txt")
    assert outcome.report["year"] == 2021 and outcome.error is None
    assert 0 < outcome.peak_rss < 200 * 1e6


@pytest.mark.django_db
def test_the_page_shows_a_breach_in_chinese(client, settings):
    settings.REPORT_PARSE_SECONDS = 0.5
    response = client.post(URL, {"file": SimpleUploadedFile("年报.txt", CELLS)})
    assert response.status_code == 400
    assert "读取时间超过了本页面为每份文件设定的上限（0.5 秒）" in response.content.decode()


# ---- rate limit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_limits_submissions_per_address(client, settings):
    settings.REPORT_CHECKUP_RATE_LIMIT = "2/10m"
    for _ in range(2):
        assert client.post(URL, {"text": HAINING}).status_code == 200
    response = client.post(URL, {"text": HAINING})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "提交过于频繁" in body and "10分钟" in body and "report" not in response.context
    other = client.post(URL, {"text": HAINING}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200
    assert client.get(URL).status_code == 200  # reading the page is not limited


# ---- fuzz sample ----------------------------------------------------------------------------


def test_a_fuzz_sample_through_the_pages_path():
    """24 crafted and mutated files (the full run is `make fuzz`): no traceback, no run
    over 10 s, no child over 500 MB."""
    started = time.monotonic()
    results = [fuzz.run_one(name, data) for name, data in fuzz.sample(24)]
    figures = fuzz.summary(results)
    assert figures["runs"] == 24
    assert figures["tracebacks"] == [], [r.message for r in results if r.outcome == "traceback"]
    assert figures["over_10s"] == [] and figures["over_500mb"] == []
    assert time.monotonic() - started < 40


def test_a_pdf_with_a_broken_page_tree_is_refused_not_a_traceback():
    """Found by `make fuzz` (a few flipped bytes): pdfplumber raised TypeError reading
    the pages, and again while closing the file."""
    data = (TESTDATA / "fuzz" / "broken-page-tree.pdf").read_bytes()
    assert "页面结构已损坏" in refused(data, "年报.pdf")


def test_xml_bombs_and_external_entities_in_a_docx_are_not_expanded(docx):
    assert "无法读取" in refused(fuzz.docx_with_xml(docx, fuzz.BILLION_LAUGHS), "年报.docx")
    text = engine.extract.to_text(fuzz.docx_with_xml(docx, fuzz.XXE), filename="年报.docx")
    assert "root:" not in text


def test_a_digit_string_too_long_for_a_figure_is_found_wherever_it_starts():
    # The scan first looks at every 20th character (engine._STEP): a run of more than
    # 100 digits is found at any offset, a run of 100 is a figure's limit and is not.
    for offset in range(45):
        for length in (101, 102, 150):
            text = "说" * offset + "7" * length + "。"
            (found,) = engine._overlong_numbers(text)
            assert f"{length} 位数字" in found["message"]
        assert engine._overlong_numbers("说" * offset + "7" * 100 + "。") == []
