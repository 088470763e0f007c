"""How many table cells the parser reads right, per layout failure class (`make accuracy`).

The corpus (gongkai/reports/tests/corpus/) holds real reports' tables with a
hand-checked truth file each (truth/*.json; every truth file must satisfy the
national tables' sums, blanks as printed). Each truth is rendered as a clean
text report and then damaged the way real copies are damaged:

  published  the report's own published text, where the corpus has it
  clean    the report as rendered (pipe table)
  tabs     browser copy: tab-separated, blank cells kept as empty fields
  wrapped  labels wrapped mid-phrase with stray spaces; the continuation line
           holds the row's figures (failure class 1)
  flat     a crawled page: the whole body on one line, figures glued to each
           other and to the next row's label (failure class 3)
  pdf      PDF text: label fragments printed before and after their row's
           figures, header cells split into syllables (failure class 4)
  pdf-md   a PDF turned into Markdown by a converter (上海市科委 2024 is one): table
           三's rows with long labels print their figures as a cell row of their own
           and their label, cut in pieces, as lines up to two rows before or just
           after them, or are cut into two cell rows (the label's head over blank
           cells) (failure class 4); a page footer may fall inside the table
  cell-lines each cell on a line of its own, blank cells dropped (pdftotext without
           -layout, a browser's copy of some tables): a row's figures stand apart
           from each other and from its label (failure class 4)
  pdf-file a real PDF (failure class 5): the report laid out by WeasyPrint with
           ruled tables, read by the PDF reader from its table geometry
  pdf-real the agency's own PDF file, where the corpus has it (pdf/*.pdf), read
           straight from the file as a user uploads it (engine.analyse_bytes)
  html-real the agency's own web page as saved from the browser or a crawler
           (html/*.html: the site's whole page, menus and scripts around the report),
           read straight from the file as a user uploads it
  docx-real the agency's own Word file (docx/*.docx), read the same way
  scan     a scanned paper copy (failure class 6): the report laid out by
           WeasyPrint, each page an image at 150 or 200 dpi, turned a little,
           blurred, speckled and JPEG-compressed, put back into an image-only PDF
           and read by OCR (gongkai.reports.ocr). Slow (seconds a page): the OCR
           text is cached in var/accuracy/ under the scan's and the OCR code's hash.
  scan-pdf the agency's own PDF file (pdf-real) scanned the same way: the real layout
           (its fonts, shaded header cells, tables cut by page breaks) read by OCR.
           No real paper scan is in the corpus yet: this is the nearest to one.

A cell is right when the parser's figure equals the truth (a blank counts as
0, as in the checker; a cell the report prints blank is right when read blank);
blank when the parser left it empty and said so in a
finding; wrong otherwise. Wrong cells are the ones that must never happen.
Run as `python -m gongkai.reports.accuracy [--no-scan] [--write DIR]`.
"""

import hashlib
import io
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

from . import parsing, tables
from .render import render

CORPUS = Path(__file__).parent / "tests" / "corpus"
CLASSES = (
    "published",
    "clean",
    "tabs",
    "wrapped",
    "flat",
    "pdf",
    "pdf-md",
    "cell-lines",
    "pdf-file",
    "pdf-real",
    "html-real",
    "docx-real",
    "scan",
    "scan-pdf",
)
TEXT_CLASSES = CLASSES[: CLASSES.index("cell-lines") + 1]
# The agencies' own files a truth file may name (its key: the file's kind), each scored
# as the class "<kind>-real", read straight from the file as a user uploads it.
REAL_KINDS = ("pdf", "html", "docx")
SCAN_VARIANTS = 2
VARIANTS_PER_CLASS = 4
_COLS = [c.key for c in tables.REQUEST_COLUMNS]
_APPEAL_COLS = [c.key for c in tables.APPEAL_COLUMNS]

# ---- Truth ---------------------------------------------------------------------


def load_truth(path):
    """A truth file as a report in the interchange format."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    report = tables.empty_report(data["template"])
    report.update(agency=data["agency"], year=data["year"])
    for key, values in data["requests"].items():
        report["requests"][key] = dict(zip(_COLS, values, strict=True))
    if data["template"] == "2021":
        parts = [data["requests"][k] for k in tables.OTHER_PARTS]
        report["requests"]["other"] = {
            c: None if all(p[i] is None for p in parts) else sum(p[i] or 0 for p in parts)
            for i, c in enumerate(_COLS)
        }
    for key, values in data["appeals"].items():
        report["appeals"][key] = dict(zip(_APPEAL_COLS, values, strict=True))
    for key, cells in data["proactive"].items():
        report["proactive"][key].update(cells)
    report["narrative"] = {
        "overview": f"{data['year']}年，本机关依法做好政府信息公开工作（本样本只转录了表格）。",
        "problems": "无。",
        "other": "无。",
    }
    report["name"] = data["name"]
    # Cells the source prints blank although the sums call for a figure ("section.row/col":
    # why): the truth keeps them blank, and the sums through them are not checked.
    report["blank_cells"] = dict(data.get("blank_cells", {}))
    # Cells the source prints with a figure the sums contradict (a 总计 of 0 over parts
    # that add to 11): the truth keeps the printed figure, and those sums are not checked.
    report["misprinted_cells"] = dict(data.get("misprinted_cells", {}))
    if data.get("published"):
        # The report's own text: kept in the corpus, or (a copy of a crawled page the
        # corpus does not carry) in var/corpus/ of this checkout; skipped where neither.
        report["published_text"] = original(data["published"])
        report["published_named"] = data["published"]
    report["originals"] = {k: original(data[k]) for k in REAL_KINDS if data.get(k)}
    report["originals_named"] = {k: data[k] for k in REAL_KINDS if data.get(k)}
    if data.get("pdf"):
        report["pdf_file"] = report["originals"]["pdf"]
        report["pdf_named"] = data["pdf"]
    return report


def original(relative):
    """Where an agency's own file named by a truth file is: kept in the corpus, or (a
    file the corpus may not carry) in var/corpus/ of this checkout; None where neither."""
    for base in (CORPUS, _var() / "corpus"):
        path = (base / relative).resolve()
        if path.is_file():
            return path
    return None


def truth_errors(report):
    """The national tables' sums a truth file breaks (blank = 0; an unprinted 总计 is not summed)."""
    errors = []
    req = report["requests"]
    result_keys = [k for k in tables.RESULT_KEYS if k != "other"]
    result_keys += list(tables.OTHER_PARTS) if report["template"] == "2021" else ["other"]

    def v(key, col):
        return req[key][col] or 0

    unprinted = {**report.get("blank_cells", {}), **report.get("misprinted_cells", {})}

    def printed(*cells):
        return not any(f"requests.{k}/{c}" in unprinted for k, c in cells)

    for key, row in req.items():
        if key == "other" and report["template"] == "2021":
            continue
        if not printed((key, "total")):
            continue
        if row["total"] is not None and row["total"] != sum(v(key, c) for c in _COLS[:-1]):
            errors.append(f"行合计：{key}")
    for col in _COLS:
        balance = [(k, col) for k in ("new", "carried_over", "total", "carry_forward")]
        if not printed(*balance):
            pass
        elif v("new", col) + v("carried_over", col) != v("total", col) + v("carry_forward", col):
            errors.append(f"勾稽关系：{col}")
        if any(req[k][col] is not None for k in result_keys) and printed(("total", col)):
            if sum(v(k, col) for k in result_keys) != v("total", col):
                errors.append(f"办理结果合计：{col}")
    for group, row in report["appeals"].items():
        if f"appeals.{group}/total" in unprinted:
            continue
        if row["total"] is not None and row["total"] != sum(row[c] or 0 for c in _APPEAL_COLS[:-1]):
            errors.append(f"表四合计：{group}")
    return errors


def truth_reports():
    return [load_truth(p) for p in sorted((CORPUS / "truth").glob("*.json"))]


# ---- Damaged copies ----------------------------------------------------------------


def _cells(line):
    return [c.strip() for c in line.strip()[1:-1].split("|")]


def _is_table(line):
    return line.startswith("|") and line.endswith("|")


def _has_figures(cells):
    return any(re.fullmatch(r"[\d.,]+(?:万元|元)?", c) for c in cells[1:])


def _own_label(label):
    """The row's own label of a rendered "三、本年度办理结果 （三）不予公开 1.属于国家秘密"."""
    return label.split(" ")[-1]


def _spaced(text, rng):
    """A stray space inside a label, as PDF text and careless copies have."""
    if len(text) < 4:
        return text
    i = rng.randrange(2, len(text) - 1)
    return text[:i] + " " + text[i:]


def damage(text, kind, rng):
    lines = text.split("\n")
    out = []
    for line in lines:
        if not _is_table(line):
            out.append(line)
            continue
        cells = _cells(line)
        label, values = cells[0], cells[1:]
        printed = [c for c in values if c]
        if kind == "clean":
            out.append(line)
        elif kind == "tabs":
            groups = label.split(" ")
            # A browser copy: group cells only where their merged cell starts.
            own = groups if rng.random() < 0.3 else groups[-1:]
            out.append("\t".join(own + values) + ("\t" if rng.random() < 0.5 else ""))
        elif kind == "wrapped":
            own = _own_label(label)
            if _has_figures(cells) and len(own) > 8:
                cut = rng.randrange(4, len(own) - 2)
                out.append(_spaced(own[:cut], rng))
                out.append(own[cut:] + " " + " ".join(printed))
            else:
                out.append(" ".join([_spaced(own, rng) if own else ""] + printed).strip())
        elif kind == "pdf":
            own = _own_label(label)
            if not _has_figures(cells) and any(values):
                # Header cells split into syllables over two lines.
                heads = [c for c in cells if c]
                out.append("".join(h[: (len(h) + 1) // 2] for h in heads))
                out.append("".join(h[(len(h) + 1) // 2 :] for h in heads))
                continue
            pieces = []
            rest = own
            while rest:
                cut = rng.randrange(5, 9)
                pieces.append(rest[:cut])
                rest = rest[cut:]
            figures = " ".join(printed)
            if len(pieces) <= 1 or not figures:
                out.append(f"{own} {figures}".strip())
            else:
                out.append(pieces[0])
                out.append(figures)
                out.extend(pieces[1:])
        elif kind == "pdf-md":
            own = _own_label(label)
            if not _has_figures(cells) or len(own) <= 10 or len(values) != 7:
                out.append(line)
                continue
            if rng.random() < 0.2:
                # A tall row cut in two cell rows: the label's head over blank cells.
                cut = rng.randrange(4, len(own) - 2)
                out.append(f"| {own[:cut]} |" + " |" * len(values))
                out.append(f"| {own[cut:]} | " + " | ".join(values) + " |")
                continue
            out.append("| " + " | ".join(values) + " |")
            pieces = []
            rest = own
            while rest:
                cut = rng.randrange(6, 12)
                pieces.append(rest[:cut])
                rest = rest[cut:]
            shift = rng.choice((-1, 0, 0, 1, 2))
            if shift < 0:
                out.extend(pieces)
            else:
                # Before its figures, or up to two figure rows earlier (never into table 二).
                at = len(out) - 1
                for _ in range(shift):
                    prev = out[at - 1] if at > 0 else ""
                    if _is_table(prev) and _cells(prev)[0] == "" and _has_figures(_cells(prev)):
                        at -= 1
                out[at:at] = pieces
            if rng.random() < 0.05:
                out.append(f"— {rng.randrange(2, 9)} —")
        elif kind == "cell-lines":
            # Each cell on a line of its own, blank cells dropped: pdftotext without
            # -layout, a browser's copy of some tables.
            out.extend(c for c in cells if c)
        elif kind == "flat":
            own = _own_label(label)
            seps = ["", " "]
            glued = printed[0] if printed else ""
            for c in printed[1:]:
                glued += rng.choice(seps) + c
            out.append(own + glued)
    if kind == "flat":
        return "".join(s.strip() for s in out)
    return "\n".join(out)


def corpus(variants=VARIANTS_PER_CLASS):
    """(class, name, text, truth report) for every damaged copy of every truth report."""
    out = []
    for truth in truth_reports():
        base = render(truth, "txt").decode("utf-8")
        if truth.get("published_text"):
            text = truth["published_text"].read_text(encoding="utf-8")
            out.append(("published", truth["name"], text, truth))
        for kind in TEXT_CLASSES[1:]:
            for k in range(1 if kind == "clean" else variants):
                rng = random.Random(f"{truth['name']}/{kind}/{k}")
                out.append((kind, f"{truth['name']}.{kind}.{k}", damage(base, kind, rng), truth))
    return out


def scan_of(truth, k):
    """An image-only PDF that looks like a scan of the report laid out by WeasyPrint."""
    import weasyprint

    rng = random.Random(f"{truth['name']}/scan/{k}")
    html = render(truth, "html").decode("utf-8")
    return scanned(weasyprint.HTML(string=html).write_pdf(), rng)


def scanned(pdf_bytes, rng):
    """The pages of a PDF as a scanner returns them: each page an image at 150 or 200
    dpi, turned a little, blurred, speckled and JPEG-compressed, in an image-only PDF."""
    import pypdfium2
    from PIL import Image, ImageFilter

    pdf = pypdfium2.PdfDocument(pdf_bytes)
    dpi = rng.choice((150, 200))
    pages = []
    for page in pdf:
        img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        img = img.rotate(rng.uniform(-0.8, 0.8), resample=Image.Resampling.BICUBIC, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
        noise = _noise(img.size, rng.uniform(10, 25), rng)
        img = Image.blend(img, noise, 0.12)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randrange(55, 80))
        pages.append(Image.open(io.BytesIO(buf.getvalue())))
    out = io.BytesIO()
    fixed = time.gmtime(1767225600)  # 2026-01-01
    pages[0].save(
        out,
        "PDF",
        resolution=dpi,
        save_all=True,
        append_images=pages[1:],
        creationDate=fixed,
        modDate=fixed,
    )
    return out.getvalue()


def _noise(size, sigma, rng, tile=256):
    """Gaussian grain as Image.effect_noise makes it, but drawn from the scan's own seed:
    the same scan is the same bytes on every run, so its OCR text is cached."""
    from PIL import Image

    grain = bytes(min(255, max(0, int(rng.gauss(128, sigma)))) for _ in range(tile * tile))
    patch = Image.frombytes("L", (tile, tile), grain)
    noise = Image.new("L", size)
    for x in range(0, size[0], tile):
        for y in range(0, size[1], tile):
            noise.paste(patch, (x, y))
    return noise


def _var():
    return Path(__file__).resolve().parents[2] / "var"


def _cache_dir():
    return _var() / "accuracy"


def read_scan(data, name):
    """The report an image-only PDF reads as (OCR text cached; the sums re-run every time)."""
    from . import engine, ocr

    code = hashlib.sha256(Path(ocr.__file__).read_bytes()).hexdigest()[:12]
    key = hashlib.sha256(data).hexdigest()[:16]
    cache = _cache_dir() / f"{name}.{key}.{code}.json"
    if cache.exists():
        text, meta = json.loads(cache.read_text(encoding="utf-8"))
    else:
        images = ocr.pdf_images(data)
        text, meta = ocr.read_images(images, workers=1)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([text, meta], ensure_ascii=False), encoding="utf-8")
    report = ocr.verify(engine._parsed(text, name), text)
    report["source"]["ocr"] = meta
    return report


# ---- Scoring -------------------------------------------------------------------------


def _unsure(report):
    return {f["where"] for f in report["findings"] if f["rule"] in ("SHAPE", "PARSE", "UNIT")}


def cells_of(report):
    """{(section, row, column): value} of every cell a truth file holds."""
    out = {}
    for key, row in report["requests"].items():
        if key == "other" and report["template"] == "2021":
            continue  # derived from its three parts, not printed
        for col, value in row.items():
            out["requests", key, col] = value
    for key, row in report["appeals"].items():
        for col, value in row.items():
            out["appeals", key, col] = value
    for key, row in report["proactive"].items():
        for col, value in row.items():
            if col not in ("amount_as_printed", "unit_as_printed"):
                out["proactive", key, col] = value
    return out


def score(parsed, truth):
    """(right, blank, wrong, silent, [wrong cells]).

    wrong: a figure other than the truth; silent: left blank with no finding
    although the truth is not 0 (the checker would take it as 0: also wrong).
    """
    right = blank = wrong = silent = 0
    wrong_cells = []
    unsure = _unsure(parsed)
    got = cells_of(parsed) if parsed.get("template") == truth["template"] else {}
    for cell, expected in cells_of(truth).items():
        value = got.get(cell)
        section, row, col = cell
        flagged = bool({section, f"{section}.{row}", f"{section}.{row}/{col}"} & unsure)
        if value is None and expected is None and cell in got:
            right += 1  # printed blank (a row the report leaves out), read blank
        elif value is None and (flagged or cell not in got):
            blank += 1
        elif (value or 0) == (expected or 0):
            right += 1
        elif value is None:
            silent += 1
            wrong_cells.append((cell, expected, value))
        else:
            wrong += 1
            wrong_cells.append((cell, expected, value))
    return right, blank, wrong, silent, wrong_cells


def pdf_of(truth):
    import weasyprint

    return weasyprint.HTML(string=render(truth, "html").decode("utf-8")).write_pdf()


def pdf_files():
    """(class, name, report read from a PDF file, truth report) for each truth report."""
    from . import engine

    for truth in truth_reports():
        name = f"{truth['name']}.pdf"
        yield "pdf-file", name, engine.analyse_bytes(pdf_of(truth), filename=name), truth


def real_files():
    """(class, name, report, truth) for each agency's own file (PDF, web page, Word file)
    the corpus or this checkout's var/corpus/ keeps, read as a user uploads it."""
    from . import engine

    for truth in truth_reports():
        for kind, path in truth["originals"].items():
            if path:
                data = path.read_bytes()
                report = engine.analyse_bytes(data, filename=path.name)
                yield f"{kind}-real", path.name, report, truth


def scans(variants=SCAN_VARIANTS):
    """(class, name, report read by OCR, truth report) for each scan of each truth report."""
    for truth in truth_reports():
        for k in range(variants):
            name = f"{truth['name']}.scan.{k}"
            yield "scan", name, read_scan(scan_of(truth, k), name), truth


def scanned_pdfs():
    """(class, name, report read by OCR, truth) for a scan of each agency's own PDF the
    corpus keeps: its real layout (fonts, shaded header cells, merged cells, page breaks
    inside tables) printed and scanned, read by OCR."""
    for truth in truth_reports():
        path = truth.get("pdf_file")
        if path:
            name = f"{truth['name']}.scan-pdf"
            rng = random.Random(f"{truth['name']}/scan-pdf")
            yield "scan-pdf", name, read_scan(scanned(path.read_bytes(), rng), name), truth


def measure(variants=VARIANTS_PER_CLASS, *, with_scans=False, with_pdfs=False, with_real=True):
    skip = {"scan", "scan-pdf"} - ({"scan", "scan-pdf"} if with_scans else set())
    skip |= {"pdf-file"} - ({"pdf-file"} if with_pdfs else set())
    skip |= set() if with_real else {f"{k}-real" for k in REAL_KINDS}
    totals = {k: [0, 0, 0, 0, 0] for k in CLASSES if k not in skip}
    wrong_examples = []
    items = [(k, n, parsing.parse_text(t), truth) for k, n, t, truth in corpus(variants)]
    if with_real:
        items = itertools.chain(items, real_files())
    if with_pdfs:
        items = itertools.chain(items, pdf_files())
    if with_scans:
        items = itertools.chain(items, scans(), scanned_pdfs())
    for kind, name, parsed, truth in items:
        *counts, cells = score(parsed, truth)
        t = totals[kind]
        for i, c in enumerate(counts):
            t[i] += c
        t[4] += 1
        wrong_examples += [(name, *c) for c in cells]
    return totals, wrong_examples


USAGE = (
    "用法：python -m gongkai.reports.accuracy [--no-scan] [--write 目录]\n"
    "  --no-scan      不读扫描件（scan、scan-pdf 两类，约 8 分钟）\n"
    "  --write 目录   把各版式的文字写入该目录，不计分"
)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # An option it does not know (--help, a typo of --no-scan) would otherwise start
    # the whole run, scans included.
    writing = argv[:1] == ["--write"]
    known = len(argv) == 2 if writing else all(a == "--no-scan" for a in argv)
    if not known:
        print(USAGE)
        return 0 if argv in (["--help"], ["-h"]) else 2
    for truth in truth_reports():
        errors = truth_errors(truth)
        if errors:
            print(f"真值文件 {truth['name']} 不满足表格合计关系：{'、'.join(errors)}")
            return 2
    if argv[:1] == ["--write"]:
        target = Path(argv[1])
        target.mkdir(parents=True, exist_ok=True)
        for _kind, name, text, _truth in corpus():
            (target / f"{name}.txt").write_text(text, encoding="utf-8")
        print(f"已写入 {target}")
        return 0
    started = time.perf_counter()
    totals, wrong = measure(with_scans="--no-scan" not in argv, with_pdfs=True)
    print("版式        份数   单元格     读对   留空(有说明)  读错  无说明空白   准确率")
    for kind, (right, blank, bad, silent, docs) in totals.items():
        cells = right + blank + bad + silent
        print(
            f"{kind:<10}{docs:>6}{cells:>9}{right:>9}{blank:>11}{bad:>8}{silent:>10}"
            f"{100 * right / max(cells, 1):>10.1f}%"
        )
    bad = sum(t[2] for t in totals.values())
    silent = sum(t[3] for t in totals.values())
    print(f"读错的单元格（confidently wrong）：{bad}；无说明的空白单元格：{silent}")
    for example in wrong[:20]:
        print("  ", example)
    absent = [
        f"{t['name']}（{named}）"
        for t in truth_reports()
        for kind, named in t["originals_named"].items()
        if not t["originals"][kind]
    ]
    absent += [
        f"{t['name']}（{t['published_named']}）"
        for t in truth_reports()
        if t.get("published_named") and not t["published_text"]
    ]
    if absent:
        print(
            f"原件不在本机，未计入 published、*-real 和 scan-pdf：{'、'.join(absent)}"
            "（放在 gongkai/reports/tests/corpus/ 或本仓库的 var/corpus/ 下即计入）"
        )
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
