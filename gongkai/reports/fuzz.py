"""Fuzzing the public 年报体检 page's readers: `make fuzz` (issue 13).

Builds mutated and crafted files — the seed reports rendered to txt, html, docx and
pdf, then damaged (bytes flipped, cut, spliced, re-encoded), plus zip bombs, XML
bombs, huge numbers, odd encodings, deep nesting — and sends each through the
page's own path: the upload form's checks (CheckupForm), then the engine in the
bounded child process (sandbox.run). It records, per run, what happened, the
time and the child's peak memory, and exits 1 if any run raised a traceback, took
longer than MAX_SECONDS or grew a process beyond MAX_RSS.

    python -m gongkai.reports.fuzz --count 1000 [--seed 13] [--json var/fuzz/results.json]

`crafted()` and `sample()` are also used by the test suite (a small sample).
"""

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

MIB = 1024 * 1024
MAX_SECONDS = 10.0
MAX_RSS = 500 * 1000 * 1000  # "no process over 500 MB"
SEEDS = Path(__file__).parent / "tests" / "testdata"
SHARED_SEEDS = Path("/work/shared/seeds")


@dataclass
class Result:
    name: str
    outcome: str  # report | refused | breach-memory | breach-time | breach-crash | traceback
    seconds: float
    peak_rss: int
    message: str = ""


# ---- inputs -------------------------------------------------------------------------


def seed_texts(directory=None):
    folder = Path(directory) if directory else (SHARED_SEEDS if SHARED_SEEDS.is_dir() else SEEDS)
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def _zip(members, level=6):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx_parts(docx):
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def docx_bomb(docx, unpacked_mib=130):
    """A valid DOCX whose body holds `unpacked_mib` MiB of empty paragraphs: about
    232 KB packed at the default size (the probe's bomb)."""
    parts = _docx_parts(docx)
    filler = b"<w:p/>" * (unpacked_mib * MIB // 6)
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"</w:body>", filler + b"</w:body>", 1
    )
    return _zip(parts)


def docx_with_xml(docx, document_xml):
    parts = _docx_parts(docx)
    parts["word/document.xml"] = document_xml
    return _zip(parts)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document ['
    b'<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b"]>"
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


def pdf_of(text):
    """The seed as a PDF with ruled tables (reportlab, a dev dependency); None without it."""
    try:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
    except ImportError:
        return None
    from xml.sax.saxutils import escape

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=9, leading=12)
    flow, rows = [], []

    def flush():
        if rows:
            width = max(len(r) for r in rows)
            grid = [r + [""] * (width - len(r)) for r in rows]
            grid = [[Paragraph(escape(c), style) if len(c) > 8 else c for c in r] for r in grid]
            table_style = TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ]
            )
            flow.append(Table(grid, style=table_style))
            rows.clear()

    for line in text.split("\n"):
        if "|" in line:
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        flush()
        if line.strip():
            flow.append(Paragraph(escape(line.strip()), style))
    flush()
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(flow)
    return out.getvalue()


def many_pages_pdf(pages=400):
    try:
        from reportlab.pdfgen import canvas
    except ImportError:
        return None
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    for i in range(pages):
        sheet.drawString(72, 720, f"page {i}")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def pdf_stream_bomb(unpacked_mib=300):
    """A PDF whose one content stream inflates to `unpacked_mib` MiB of spaces."""
    import zlib

    stream = zlib.compress(b" " * (unpacked_mib * MIB), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (5, xref))
    return out.getvalue()


def nested_zip(depth=3):
    data = _zip({"word/document.xml": b"<w:document/>"})
    for level in range(depth):
        data = _zip({f"level{level}.zip": data, "[Content_Types].xml": b"<Types/>"})
    return _zip({"word/document.xml": b"<w:document/>", "inner.zip": data})


def heavy(renderings):
    """The bombs that take seconds to build (compressing hundreds of MiB)."""
    docx = renderings["docx"]
    return [
        ("bomb-232k.docx", docx_bomb(docx)),
        ("bomb-total.docx", _zip({f"word/media/{i}.bin": b"\0" * 40 * MIB for i in range(8)})),
        ("pdf-stream-bomb.pdf", pdf_stream_bomb()),
    ]


def crafted(texts, renderings):
    """(name, bytes) of hand-made hostile files: bombs, tricks, huge numbers, encodings."""
    first = next(iter(texts.values()))
    docx = renderings["docx"]
    items = [
        ("bomb-entry-ratio.docx", docx_bomb(docx, unpacked_mib=8)),
        ("billion-laughs.docx", docx_with_xml(docx, BILLION_LAUGHS)),
        ("xxe.docx", docx_with_xml(docx, XXE)),
        ("many-entries.docx", _zip({f"p/{i}.xml": b"" for i in range(6000)}, level=1)),
        ("nested-zip.docx", nested_zip()),
        ("traversal.docx", _zip({"word/document.xml": b"<x/>", "../../etc/passwd": b"x"})),
        ("absolute.docx", _zip({"word/document.xml": b"<x/>", "/etc/passwd": b"x"})),
        ("backslash.docx", _zip({"word/document.xml": b"<x/>", "..\\..\\x": b"x"})),
        ("empty-zip.docx", b"PK\x05\x06" + b"\0" * 18),
        ("truncated.docx", docx[: len(docx) // 2]),
        ("pdf-small-bomb.pdf", pdf_stream_bomb(16)),
        ("pdf-truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"),
        ("pdf-deep-array.pdf", b"%PDF-1.4\n1 0 obj\n" + b"[" * 100_000 + b"\nendobj\n%%EOF"),
        ("utf16-broken.txt", b"\xff\xfe" + first[:2000].encode("utf-16-le") + b"\x00\xd8x"),
        ("utf16-odd.txt", b"\xfe\xff" + first[:2000].encode("utf-16-be") + b"x"),
        ("utf16-good.txt", first.encode("utf-16")),
        ("gb18030.txt", first.encode("gb18030", "replace")),
        ("big5.txt", first.encode("big5", "replace")),
        ("huge-number.txt", (first + "\n| 合计 | " + "9" * 5000 + " |\n").encode()),
        ("huge-float.txt", (first + "\n| 合计 | " + "9" * 400 + ".5 |\n").encode()),
        ("huge-number-prose.txt", (first + "共收到申请" + "1" * 5000 + "件。").encode()),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        (
            "deep-report.json",
            b'{"format":"gongkai.annual-report/1","x":' + b"[" * 5000 + b"]" * 5000 + b"}",
        ),
        ("huge-int.json", b'{"format":"gongkai.annual-report/1","year":' + b"9" * 5000 + b"}"),
        ("long-field.csv", b"agency,year,section,row,column,value\n" + b"x" * 200_000 + b"\n"),
        ("deep.html", b"<html><body>" + b"<div>" * 50_000 + b"x" + b"</div>" * 50_000),
        ("html-entities.html", BILLION_LAUGHS.replace(b"w:document", b"html")),
        ("html-utf16-meta.html", b'<meta charset="utf-16"><p>\xff\xfe\x00\xd8</p>'),
        ("nul-text.txt", b"\x00" * 5000),
        ("pipes.txt", ("|" * 200_000 + "\n").encode()),
        ("long-line.txt", ("一" * 2_000_000).encode()),
        ("many-cells.txt", ("| 0 " * 50_000 + "|\n").encode()),
    ]
    pages = many_pages_pdf()
    if pages:
        items.append(("pages-400.pdf", pages))
    return items


def renderings_of(text, pdf=True):
    """The seed in every input format the page takes."""
    from . import engine
    from .render import render

    report = engine.analyse_text(text)
    out = {"txt": text.encode("utf-8")}
    for fmt in ("html", "docx"):
        data = render(report, fmt)
        out[fmt] = data.encode("utf-8") if isinstance(data, str) else data
    pdf = pdf_of(text) if pdf else None
    if pdf:
        out["pdf"] = pdf
    return out


def mutate(data, rng):
    """One random damage to `data`."""
    data = bytearray(data)
    how = rng.randrange(9)
    n = len(data)
    if not n:
        return bytes(data), "empty"
    if how == 0:  # flip a few bytes
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(n)] = rng.randrange(256)
        return bytes(data), "flip"
    if how == 1:  # cut
        return bytes(data[: rng.randrange(n)]), "cut"
    if how == 2:  # delete a chunk
        a = rng.randrange(n)
        return bytes(data[:a] + data[a + rng.randint(1, 4096) :]), "delete"
    if how == 3:  # duplicate a chunk many times
        a = rng.randrange(n)
        chunk = data[a : a + rng.randint(1, 512)]
        return bytes(data[:a] + chunk * rng.randint(2, 200) + data[a:]), "repeat"
    if how == 4:  # insert random bytes
        a = rng.randrange(n)
        return bytes(data[:a] + rng.randbytes(rng.randint(1, 256)) + data[a:]), "insert"
    if how == 5:  # a long number somewhere
        a = rng.randrange(n)
        digits = str(rng.randint(1, 9)).encode() * rng.choice((50, 101, 400, 4301, 9000))
        return bytes(data[:a] + digits + data[a:]), "digits"
    if how == 6:  # special bytes: NUL, BOMs, surrogates, pipes
        a = rng.randrange(n)
        junk = rng.choice((b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xed\xa0\x80", b"|" * 50, b"\t"))
        return bytes(data[:a] + junk * rng.randint(1, 30) + data[a:]), "special"
    if how == 7:  # swap two halves
        a = rng.randrange(n)
        return bytes(data[a:] + data[:a]), "rotate"
    a, b = sorted((rng.randrange(n), rng.randrange(n)))
    return bytes(data[:a] + data[b:] + data[a:b]), "splice"


def _docx_mutation(docx, rng):
    """A DOCX whose document.xml (not the ZIP around it) is damaged, then re-packed."""
    parts = _docx_parts(docx)
    xml, how = mutate(parts["word/document.xml"], rng)
    parts["word/document.xml"] = xml
    return _zip(parts, level=6), "xml-" + how


def _text_recoding(text, rng):
    encoding = rng.choice(("utf-16", "utf-16-le", "utf-16-be", "gb18030", "big5", "utf-8-sig"))
    data = text.encode(encoding, "replace")
    if rng.random() < 0.5:
        data = data[: rng.randrange(len(data))]  # cut mid-character
    return data, "encode-" + encoding


def generate(count, seed=13, seed_dir=None, with_heavy=True):
    """`count` (name, bytes) inputs: the crafted ones, then mutations of the renderings."""
    rng = random.Random(seed)
    texts = seed_texts(seed_dir)
    rendered = {name: renderings_of(text) for name, text in texts.items()}
    any_rendering = next(iter(rendered.values()))
    items = (heavy(any_rendering) if with_heavy else []) + crafted(texts, any_rendering)
    for name, formats in rendered.items():
        for fmt, data in formats.items():
            items.append((f"{name}.{fmt}", data))  # the unharmed file reads
    i = 0
    names = sorted(rendered)
    while len(items) < count:
        i += 1
        name = rng.choice(names)
        fmt = rng.choice(sorted(rendered[name]))
        data = rendered[name][fmt]
        roll = rng.random()
        if fmt == "docx" and roll < 0.5:
            data, how = _docx_mutation(data, rng)
        elif fmt == "txt" and roll < 0.25:
            data, how = _text_recoding(texts[name], rng)
        else:
            data, how = mutate(data, rng)
            if rng.random() < 0.2:
                data, more = mutate(data, rng)
                how += "+" + more
        items.append((f"m{i:04d}-{name}-{how}.{fmt}", data))
    return items[:count]


def sample(n=24, seed=13):
    """A small fixed set for the test suite: two of every three crafted files (the
    slow-to-build bombs are tested on their own), then mutations of one seed's
    renderings."""
    rng = random.Random(seed)
    texts = seed_texts(SEEDS)
    name, text = next(iter(texts.items()))
    rendered = renderings_of(text)
    made = crafted(texts, rendered)
    chosen = [item for i, item in enumerate(made) if i % 3 != 2][: n * 2 // 3]
    formats = sorted(rendered)
    for i in range(n - len(chosen)):
        fmt = formats[i % len(formats)]
        data, how = mutate(rendered[fmt], rng)
        chosen.append((f"m{i:02d}-{name}-{how}.{fmt}", data))
    return chosen


# ---- running -------------------------------------------------------------------------


def _setup_django():
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()


def run_one(name, data):
    """Send one file through the page's path: the form's checks, then the bounded child."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import sandbox
    from .forms import CheckupForm

    started = time.monotonic()
    try:
        form = CheckupForm({}, {"file": SimpleUploadedFile(name, data)})
        if not form.is_valid():
            errors = " ".join(str(e) for e in form.errors.values())
            return Result(name, "refused", time.monotonic() - started, 0, errors[:200])
        upload = form.cleaned_data["file"]
        outcome = sandbox.run(upload.read(), filename=upload.name)
    except Exception:
        import traceback

        return Result(name, "traceback", time.monotonic() - started, 0, traceback.format_exc())
    seconds = time.monotonic() - started
    if outcome.traceback:
        return Result(name, "traceback", seconds, outcome.peak_rss, outcome.traceback)
    if outcome.breach:
        return Result(name, "breach-" + outcome.breach, seconds, outcome.peak_rss, outcome.error)
    if outcome.error:
        return Result(name, "refused", seconds, outcome.peak_rss, outcome.error[:200])
    return Result(name, "report", seconds, outcome.peak_rss)


def summary(results):
    outcomes = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    slowest = max(results, key=lambda r: r.seconds)
    biggest = max(results, key=lambda r: r.peak_rss)
    return {
        "runs": len(results),
        "outcomes": outcomes,
        "tracebacks": [r.name for r in results if r.outcome == "traceback"],
        "max_seconds": round(slowest.seconds, 2),
        "slowest": slowest.name,
        "max_child_rss_mb": round(biggest.peak_rss / 1e6, 1),
        "biggest": biggest.name,
        "server_process_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1
        ),
        "over_10s": [r.name for r in results if r.seconds > MAX_SECONDS],
        "over_500mb": [r.name for r in results if r.peak_rss > MAX_RSS],
    }


def write_inputs(items, directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        old.unlink()
    for i, (name, data) in enumerate(items):
        (directory / f"{i:04d}__{name}").write_bytes(data)


def read_inputs(directory):
    """(name, bytes) lazily, one file at a time (the runner holds one input in memory)."""
    for path in sorted(Path(directory).iterdir()):
        yield path.name.partition("__")[2], path.read_bytes()


def main(argv=None):
    parser = argparse.ArgumentParser(description="年报体检页面读取器的模糊测试")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--seeds", help="目录：种子年报（.txt）")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--inputs", default="var/fuzz/inputs", help="生成的输入文件所在目录")
    parser.add_argument("--json", default="var/fuzz/results.json", help="每次运行的结果")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.generate_only:
        write_inputs(generate(args.count, seed=args.seed, seed_dir=args.seeds), args.inputs)
        return 0
    # The inputs (bombs included) are built in another process, so that this process's
    # memory is what the page's path costs, as in a server process.
    command = [sys.executable, "-m", "gongkai.reports.fuzz", "--generate-only"]
    command += ["--count", str(args.count), "--seed", str(args.seed), "--inputs", args.inputs]
    if args.seeds:
        command += ["--seeds", args.seeds]
    subprocess.run(command, check=True)
    print(f"生成 {args.count} 个输入，用时 {time.monotonic() - started:.1f} 秒", flush=True)
    _setup_django()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(lambda item: run_one(*item), read_inputs(args.inputs)))
    figures = summary(results)
    figures["wall_seconds"] = round(time.monotonic() - started, 1)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {"summary": figures, "runs": [asdict(r) for r in results]}, ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )
    for r in results:
        if r.outcome == "traceback":
            print(f"== {r.name}\n{r.message}", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    bad = figures["tracebacks"] or figures["over_10s"] or figures["over_500mb"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
