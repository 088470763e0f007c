"""Text stays as written (issue 18): normalisation (width, script) is for reading only.

The narrative a report states is printed in its own characters by every renderer,
by the portal's page and by 年报体检's page and downloads: a full-width report keeps
（，（）；：, a half-width one keeps its (,;:), a traditional one its script.
"""

import html
import io
import json
from pathlib import Path

import docx
import pytest
from django.urls import reverse

from gongkai.portal.reportview import public_context
from gongkai.reports import engine
from gongkai.reports.render import FORMATS, render

TESTDATA = Path(__file__).parent / "testdata"
SEEDS = {path.name[:3]: path for path in sorted(TESTDATA.glob("*.txt"))}
# A line of section 一 of each seed, exactly as the seed prints it.
SEED_LINES = {
    "000": "(一)加强领导,狠抓落实。",
    "001": "(一)強化組織領導,完善制度建設。",
    "002": "（一）主动公开情况。一是积极推进行政决策公开。",
    "003": "2023年共收到依申请公开1件,按照《中华人民共和国政府信息公开条例》相关规定进行规范答复办理。",
    "004": "（一）基层政务公开标准化规范化工作",
}
FULL_WIDTH = "（），；：。"

# A narrative with every full-width mark, digits and letters included (their half-width
# forms are what the reader reads; the printed text must keep these).
WRITTEN = (
    "２０２５年，本机关共收到政府信息公开申请３件（含上年结转１件）；其中：予以公开２件。\n"
    "（一）主动公开。通过“政务新媒体”发布信息１２０５条，ＡＰＰ访问１万次！\n"
    "本年度廣東省公安廳未收取信息處理費？"
)
REPORT_TEXT = f"""示例市公安局2025年政府信息公开工作年度报告
一、总体情况
{WRITTEN}
五、存在的主要问题及改进情况
一是公开不够及时；二是内容不够充实（见附件）。
六、其他需要报告的事项
无。
"""


def seed_text(name):
    return SEEDS[name].read_text(encoding="utf-8")


def printed(data, fmt):
    """What a reader of the output sees, as text."""
    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        return "\n".join(p.text for p in document.paragraphs)
    text = data.decode("utf-8-sig")
    if fmt == "json":
        return "\n".join(json.loads(text)["narrative"].values())
    if fmt == "html":
        return html.unescape(text)
    return text


def lines(report):
    return [ln for part in report["narrative"].values() for ln in part.splitlines() if ln]


def test_the_reader_reads_normalised_text_but_the_report_keeps_the_written_one():
    report = engine.analyse_text(REPORT_TEXT)
    assert report["narrative"]["overview"] == WRITTEN
    assert report["narrative"]["problems"] == "一是公开不够及时；二是内容不够充实（见附件）。"
    # NARRATIVE-MATCH still reads the figures (in their half-width, simplified form)
    assert not [f for f in report["findings"] if f["rule"] == "NARRATIVE-MATCH"]


@pytest.mark.parametrize("fmt", ["json", "txt", "md", "html", "docx"])
def test_every_renderer_prints_the_narrative_as_written(fmt):
    report = engine.analyse_text(REPORT_TEXT)
    out = printed(render(report, fmt), fmt)
    for line in WRITTEN.splitlines():
        assert line in out, (fmt, line)
    assert "(含上年结转1件)" not in out and "2025年," not in out


def test_csv_carries_cells_only_and_keeps_what_it_prints():
    """The CSV is one line per table cell (no narrative); the text it does print, the
    agency's name, is as written."""
    report = engine.analyse_text(seed_text("002"))
    report["agency"] = "示例市公安局（试行）"
    out = printed(render(report, "csv"), "csv")
    assert "示例市公安局（试行）" in out and "(试行)" not in out
    assert "（一）主动公开情况" not in out
    assert set(FORMATS) == {"json", "csv", "txt", "md", "html", "docx"}


def test_round_trip_through_our_json_keeps_the_text():
    report = engine.analyse_text(REPORT_TEXT)
    back = engine.analyse_bytes(render(report, "json"), filename="r.json")
    assert back["narrative"] == report["narrative"]


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "docx"])
def test_our_own_outputs_read_back_with_the_text_as_written(fmt):
    """A full-width seed rendered and read again by the engine: the same narrative."""
    report = engine.analyse_text(seed_text("002"))
    back = engine.analyse_bytes(render(report, fmt), filename=f"r.{fmt}")
    assert back["narrative"] == report["narrative"]
    assert "（一）主动公开情况。" in back["narrative"]["overview"]


@pytest.mark.parametrize("name", sorted(SEED_LINES))
def test_each_seed_keeps_its_own_punctuation_in_the_report_and_the_portal(name):
    text = seed_text(name)
    report = engine.analyse_text(text)
    written = lines(report)
    assert SEED_LINES[name] in "\n".join(written)
    source = {ln.strip() for ln in text.replace("\r\n", "\n").split("\n")}
    assert set(written) <= source  # every narrative line is a line of the seed
    shown = [p for s in public_context(report)["sections"] for p in s["paragraphs"]]
    assert SEED_LINES[name] in "\n".join(shown)
    if name in ("002", "004"):  # full-width seeds stay full-width
        assert all(mark in "".join(written) for mark in "（），。")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SEED_LINES))
def test_checkup_page_and_downloads_keep_each_seeds_punctuation(client, name):
    response = client.post(reverse("reports:checkup"), {"text": seed_text(name)})
    assert response.status_code == 200
    assert SEED_LINES[name] in html.unescape(response.content.decode())
    written = lines(client.session["reports.checkup"])
    for fmt in sorted(FORMATS):
        if fmt == "csv":
            continue  # cells only (test above)
        data = client.get(reverse("reports:download", args=[fmt])).content
        out = printed(data, fmt)
        for line in written:
            assert line in out, (name, fmt, line)
        for mark in FULL_WIDTH:  # no mark the seed did not print
            assert out.count(mark) >= sum(ln.count(mark) for ln in written)
