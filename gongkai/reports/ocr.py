"""Scanned reports: page images -> report text with table rows, by offline OCR.

Pure Python (Pillow) around Debian's tesseract with its Simplified-Chinese model
(scripts/ensure-ocr installs it; docs/ocr.md says why this engine). Nothing is
sent anywhere. A page is

1. binarised, cleaned of speckle and deskewed (the angle whose row profile is
   sharpest);
2. searched for the table's ruling lines (long runs of dark pixels): they give
   every cell's box, merged cells included, and are then painted white so the
   engine never reads a rule as the digit 1;
3. read once by tesseract with word boxes (TSV); each word lands in the cell
   that holds its centre. Figure cells are read twice more with a digit-only engine
   pass: as the page shows them, and with their ink's contrast stretched and enlarged
   (small print in a light font); two of the three readings must agree (`decide`).

Each table row becomes one strict pipe row, as HTML and DOCX tables do, so the
parser reads scans the way it reads any table. Every figure cell keeps its
confidence; `verify()` then lets the national tables' sums confirm, correct or
reject them (never a misread figure printed as fact).
"""

import io
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from .cells import UNREADABLE

DPI = 200  # rendering resolution of a scanned PDF page
LANG = "chi_sim"
PAGE_SECONDS = 60  # one page's engine run at most (the command line; the web page has less)
IMAGE_MAX_PIXELS = 40_000_000  # a page image larger than A3 at 300 dpi is not a scan of a report

_DIGIT = re.compile(r"^\d+$")
_RULE_LIKE = re.compile(r"^[|/\\!lI\[\]]+$")  # what a rule left over reads as: no word


class OcrUnavailable(RuntimeError):
    """The OCR engine is not installed here."""


def available():
    return shutil.which("tesseract") is not None


def engine_version():
    try:
        out = subprocess.run(
            ["tesseract", "--version"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.splitlines()[0] if out else ""
    return first.strip() or None


# ---- Image clean-up ---------------------------------------------------------------


def _binary(img):
    """Grey page -> black-and-white ("L" mode, 0 = ink) for finding rules: thin grey
    rules kept, isolated specks do not make long runs anyway."""
    from PIL import ImageOps

    grey = ImageOps.grayscale(img) if img.mode != "L" else img
    return grey.point(lambda v: 0 if v < 200 else 255)


def _row_profile_sharpness(img):
    """How peaked the dark-pixel count per pixel row is (high when text lines are level)."""
    from PIL import Image

    h = img.height
    col = img.resize((1, h), Image.Resampling.BOX).tobytes()
    vals = [255 - b for b in col]
    mean = sum(vals) / h
    return sum((v - mean) ** 2 for v in vals)


def deskew_angle(img):
    """The angle within ±2° that turns the page level: the one whose row profile is sharpest."""
    from PIL import Image

    small = img.resize((img.width // 3, img.height // 3), Image.Resampling.BOX)
    best, best_angle = None, 0.0
    for step in range(-16, 17):
        angle = step * 0.125
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
        s = _row_profile_sharpness(turned)
        if best is None or s > best:
            best, best_angle = s, angle
    return best_angle


# ---- Ruling lines -----------------------------------------------------------------


@dataclass
class Rule:
    """A ruling line: its position across (y of a horizontal rule, x of a vertical one),
    its thickness and the (start, end) spans along it that are inked."""

    pos: int
    width: int
    spans: list

    @property
    def start(self):
        return self.spans[0][0]

    @property
    def end(self):
        return self.spans[-1][1]

    def covers(self, a, b, share=0.9):
        return _coverage(self.spans, a, b) >= share


def _union(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 3:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(x) for x in out]


def _rules(img, min_len):
    """Rules along the pixel rows of a binary image: dark runs of min_len+ pixels, the runs
    of adjacent pixel rows taken as one rule (thicker than 14 px is a filled box, not a
    rule, unless a long rule stands inside it: see _rules_within)."""
    w = img.width
    data = img.tobytes()
    pattern = re.compile(rb"\x00{%d,}" % min_len)
    groups, current, last = [], [], None
    for y in range(img.height):
        runs = [(m.start(), m.end()) for m in pattern.finditer(data, y * w, (y + 1) * w)]
        if not runs:
            continue
        if last is not None and y - last > 1:
            groups.append(current)
            current = []
        current.append((y, [(s - y * w, e - y * w) for s, e in runs]))
        last = y
    if current:
        groups.append(current)
    out = []
    for group in groups:
        if len(group) > 14:
            out += _rules_within(group, min_len)
            continue
        ys = [y for y, _ in group]
        spans = _union([span for _, runs in group for span in runs])
        out.append(Rule(round(sum(ys) / len(ys)), len(group), spans))
    return out


def _rules_within(group, min_len):
    """The long rules inside a group of adjacent pixel rows too thick to be one rule.

    A rule's neighbouring pixel rows may hold long runs far from it (the strokes of text
    well below a table's column rule): taken together the rows read as one thick box and
    the rule was lost, and with it the column it bounds (two columns' figures then read
    as one cell, the rule between them as "1"). Here runs join only where they touch a
    run of the row before; a line of them at most 14 px thick and at least three times
    min_len long is a rule. Character strokes are never that long."""
    lines = []  # [first row, last row, runs of the last row, all runs]
    for y, runs in group:
        now = {}
        for run in runs:
            line = next(
                (
                    ln
                    for ln in lines
                    if ln[1] == y - 1 and any(run[0] < e and s < run[1] for s, e in ln[2])
                ),
                None,
            )
            if line is None:
                line = [y, y, [], []]
                lines.append(line)
            now.setdefault(id(line), (line, []))[1].append(run)
            line[3].append(run)
        for line, line_runs in now.values():
            line[1], line[2] = y, line_runs
    out = []
    for first, last, _runs, spans in lines:
        spans = _union(spans)
        if last - first < 14 and spans[-1][1] - spans[0][0] >= 3 * min_len:
            out.append(Rule(round((first + last) / 2), last - first + 1, spans))
    return out


@dataclass
class Cell:
    top: int  # index of the first row band
    bottom: int  # index of the last row band
    x0: int
    x1: int
    y0: int = 0
    y1: int = 0
    words: list = field(default_factory=list)  # (y, x, text, conf, height, width)

    @property
    def text(self):
        """The cell's words in reading order: lines by height, words by x within a line."""
        lines = []
        for word in sorted(w for w in self.words if not _RULE_LIKE.match(w[2])):
            cy = word[0] + word[4] / 2
            if lines and abs(cy - lines[-1][0]) <= max(word[4], 12) * 0.6:
                lines[-1][1].append(word)
            else:
                lines.append([cy, [word]])
        out = []
        for _cy, words in lines:
            text = "".join(w[2] for w in sorted(words, key=lambda w: w[1]))
            if out and _DIGIT.match(text) and _DIGIT.match(out[-1]):
                out.append(" ")
            out.append(text)
        return "".join(out)

    @property
    def conf(self):
        return min((w[3] for w in self.words), default=None)


@dataclass
class Table:
    bands: list  # [(y0, y1)] between consecutive horizontal rules
    cells: list  # Cell, in reading order
    x0: int
    x1: int


def _coverage(spans, a, b):
    """The share of [a, b) that the (start, end) spans cover."""
    if b <= a:
        return 0.0
    covered = 0
    for s, e in spans:
        covered += max(0, min(b, e) - max(a, s))
    return covered / (b - a)


def find_tables(img):
    """Ruled tables on a binary page: (tables, horizontal rules, vertical rules); a table
    is its row bands and cells, a merged cell taken once with all the bands it spans."""
    from PIL import Image

    h_rules = _rules(img, max(120, img.width // 14))
    v_rules = _rules(img.transpose(Image.Transpose.TRANSPOSE), 30)
    if len(h_rules) < 2:
        return [], h_rules, v_rules
    # Consecutive horizontal rules joined by a vertical rule belong to one table.
    groups, current = [], [h_rules[0]]
    for rule in h_rules[1:]:
        prev = current[-1]
        joined = any(v.covers(prev.pos + 3, rule.pos - 3) for v in v_rules)
        if joined and rule.pos - prev.pos < 600:
            current.append(rule)
        else:
            groups.append(current)
            current = [rule]
    groups.append(current)
    out = []
    for levels in groups:
        if len(levels) < 2:
            continue
        x0 = min(r.start for r in levels)
        x1 = max(r.end for r in levels)
        verticals = [r for r in v_rules if x0 - 6 <= r.pos <= x1 + 6]
        # A table cut by the page's end goes on over the page without a closing rule:
        # its column rules run on below the last horizontal rule, and where most of them
        # end is the bottom of its last row (else that row is lost), if no other rule
        # lies between and the row is not much taller than the table's tallest.
        last = levels[-1].pos
        # (A rule's own span through the last rule: the strokes of a bold heading below
        # the table, in the same pixel column, are spans of their own, not the rule.)
        ends = sorted(e for r in verticals for s, e in r.spans if s < last - 4 and e > last + 20)
        bottom = ends[len(ends) // 2] if ends else last
        tallest = max(b.pos - a.pos for a, b in itertools.pairwise(levels))
        if (
            len(ends) >= 3
            and len(ends) * 2
            >= sum(any(s < last - 4 < e + 14 for s, e in r.spans) for r in verticals)
            and bottom - last <= 1.5 * tallest
            and not any(last + 4 < r.pos < bottom + 4 for r in h_rules)
        ):
            levels = [*levels, Rule(bottom, 1, [(x0, x1)])]
        bands = [(levels[i].pos, levels[i + 1].pos) for i in range(len(levels) - 1)]
        cells, open_cells = [], {}
        for b, (y0, y1) in enumerate(bands):
            inner = [r.pos for r in verticals if r.covers(y0 + 4, y1 - 4, 0.75)]
            xs = []
            for x in sorted({x0, x1, *inner}):
                if not xs or x - xs[-1] >= 8:
                    xs.append(x)
            nxt = {}
            for a, c in zip(xs, xs[1:], strict=False):
                key = (round(a / 10), round(c / 10))
                above = open_cells.get(key)
                if above is not None and not levels[b].covers(a + 4, c - 4, 0.6):
                    above.bottom, above.y1 = b, y1  # no rule between: one merged cell
                    nxt[key] = above
                else:
                    cell = Cell(b, b, a, c, y0, y1)
                    cells.append(cell)
                    nxt[key] = cell
            open_cells = nxt
        out.append(Table(bands, cells, x0, x1))
    return out, h_rules, v_rules


def erase_rules(img, h_rules, v_rules):
    """The page with its ruling lines painted white (a rule must never read as "1")."""
    from PIL import ImageDraw

    clean = img.copy()
    draw = ImageDraw.Draw(clean)
    for r in h_rules:
        half = r.width // 2 + 3
        for s, e in r.spans:
            draw.rectangle([s - 2, r.pos - half, e + 2, r.pos + half], fill=255)
    for r in v_rules:
        half = r.width // 2 + 3
        for s, e in r.spans:
            if e - s >= 45:  # shorter: a character's stroke, not a rule
                draw.rectangle([r.pos - half, s - 1, r.pos + half, e + 1], fill=255)
    return clean


# ---- The engine -------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff]")
_ROW_NUMBERS = (
    re.compile(r"(?:^|[^\d.])\d{1,2}\s*[.．、](?!\d)"),  # 1. 2.
    re.compile(r"[(（][一二三四五六七八九十]{1,2}[)）]"),  # （一）（二）
)
_FIGURE = re.compile(r"^[\d,.，．]+$")
_WIDE_FIGURE = re.compile(r"[\dSOolIB,.，．]*\d[\dSOolIB,.，．]*")  # a figure, letters misread
_UNIT = re.compile(r"(?:亿元|万元|元)$")  # a money figure's unit, printed in its cell
UNSURE = UNREADABLE  # printed for a figure not read surely: the parser blanks it, with a finding
MIN_CONF = 60.0  # below this (tesseract's 0-100) a figure is not taken even when both agree
ALONE_CONF = 90.0  # the digit pass taken alone (the page pass saw no digit there) from here


def _tesseract(img, *, lang, psm, digits=False, seconds=PAGE_SECONDS):
    """Word boxes of an image: [(left, top, width, height, conf, text, line_key)]."""
    if not available():
        raise OcrUnavailable("tesseract")
    with tempfile.TemporaryDirectory(prefix="gk-ocr-") as tmp:
        path = os.path.join(tmp, "page.png")
        img.save(path)
        cmd = ["tesseract", path, "stdout", "-l", lang, "--psm", str(psm)]
        if digits:
            cmd += ["-c", "tessedit_char_whitelist=0123456789.,"]
        env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: pages run in parallel
        out = subprocess.run(
            [*cmd, "tsv"], capture_output=True, timeout=seconds, env=env, check=False
        )
    words = []
    for line in out.stdout.decode("utf-8", "replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        left, top, width, height = (int(p) for p in parts[6:10])
        key = tuple(int(p) for p in parts[1:5])
        words.append((left, top, width, height, float(parts[10]), parts[11].strip(), key))
    return words


def _join(words):
    """Words of one line in x order -> text (CJK without spaces, figures kept apart)."""
    out, prev = "", None
    for left, _top, width, _h, _conf, text, _key in sorted(words):
        if prev is not None:
            gap = left - prev[0]
            if (not _CJK.search(prev[1][-1:] + text[:1]) and gap > 4) or gap > 40:
                out += " "
        out += text
        prev = (left + width, text)
    return out


LOOSE_CONF = 85.0  # a figure outside any ruled cell, read once, is taken from here


def loose_lines(words):
    """Words outside ruled tables -> [(top, text)], one per engine line. A figure there is
    read once only (no cell to read again), so a figure below LOOSE_CONF is printed
    unreadable (□) rather than taken: an unruled table's sums then decide, or it stays blank."""
    by_line = {}
    for w in words:
        if _FIGURE.match(w[5]) and re.search(r"\d", w[5]) and w[4] < LOOSE_CONF:
            w = (*w[:5], UNSURE, w[6])
        by_line.setdefault(w[6], []).append(w)
    return [(min(w[1] for w in ws), _join(ws)) for ws in by_line.values()]


def _sheet(crops, pad):
    """Crops read by the digit-only engine as one composite image, one crop a line (one
    engine run for a page's figures): [(text, conf)] in the crops' order (None: blank)."""
    from PIL import Image

    if not crops:
        return []
    blank = Image.new("L", (pad, pad), 255)
    crops = [blank if c is None else c for c in crops]
    width = max(c.width for c in crops) + 2 * pad
    height = sum(c.height + pad for c in crops) + pad
    sheet = Image.new("L", (width, height), 255)
    spans, y = [], pad
    for crop in crops:
        sheet.paste(crop, (pad, y))
        spans.append((y, y + crop.height))
        y += crop.height + pad
    words = _tesseract(sheet, lang="eng", psm=6, digits=True)
    found = []
    for a, b in spans:
        mine = [w for w in words if a <= w[1] + w[3] / 2 <= b]
        text = "".join(w[5] for w in sorted(mine))
        found.append((text, min((w[4] for w in mine), default=100.0)))
    return found


def _digits_pass(img, cells):
    """The figure cells read again by a digit-only engine pass over one composite image.

    Returns {id(cell): (text, conf)}.
    """
    crops = [img.crop((c.x0 + 7, c.y0 + 6, c.x1 - 7, c.y1 - 6)) for c in cells]
    return {id(c): r for c, r in zip(cells, _sheet(crops, 16), strict=True)}


NORMAL_SCALE = 2  # the normalised pass enlarges a figure's ink this many times


def _normalised(img, cell):
    """A figure cell's ink cut from the grey page (rules erased, no threshold yet), its
    contrast stretched from the darkest ink (black) to the paper (white) and enlarged:
    None when the cell holds no ink. Small print in a light font keeps its thin strokes
    here, which the page's fixed threshold breaks ("103" read as "104", "447" as "47")."""
    crop = img.crop((cell.x0 + 7, cell.y0 + 6, cell.x1 - 7, cell.y1 - 6))
    if crop.width < 4 or crop.height < 4:
        return None
    hist = crop.histogram()
    n = crop.width * crop.height
    ink = paper = None
    seen = 0
    for value, count in enumerate(hist):
        seen += count
        if ink is None and seen >= n * 0.005:
            ink = value
        if seen >= n * 0.5:
            paper = value
            break
    if paper - ink < 40:  # no stroke darker than the paper's own grain
        return None
    cut = ink + (paper - ink) * 0.7
    box = crop.point(lambda v: 255 if v < cut else 0).getbbox()
    if box is None:
        return None
    span = paper - ink
    crop = crop.crop(box).point(lambda v: max(0, min(255, (v - ink) * 255 // span)))
    return crop.resize((crop.width * NORMAL_SCALE, crop.height * NORMAL_SCALE), 3)


def _normalised_pass(img, cells):
    """The figure cells read a third time, each normalised (`_normalised`): {id(cell): (text, conf)}."""
    crops = [_normalised(img, c) for c in cells]
    return {id(c): r for c, r in zip(cells, _sheet(crops, 16 * NORMAL_SCALE), strict=True)}


AGREE_CONF = 40.0  # two readings that agree: the less sure of them at least this sure


def decide(page, digits, normal, *, marked=False):
    """A figure cell's value from its three readings, each (text, confidence): the page
    pass (the cell's own words, sign and unit taken off), the digit pass and the
    normalised pass. Returns (text, confidence, sure).

    Two readings that agree make the figure, when the surer of them has MIN_CONF and
    the other AGREE_CONF. A digit pass alone makes it, sure to ALONE_CONF, when the
    other two read nothing there (the page pass drops lone "0"s). Nothing read by the
    page and digit passes is a blank unless the normalised pass is that sure of a
    figure; anything else is unsure.

    marked: the page pass read a mark beside the figure (`_marked`: a sign or a unit,
    "增43", "251000元"), which the digit passes read as digits of their own, one or two
    ("增43" as "1243" by both): the figure is then taken only where the page pass's
    reading is one of the two that agree, never by the digit passes alone.
    """
    readings = [page, digits, normal]
    figures = [t for t, _c in readings if t and _FIGURE.match(t)]
    for text in dict.fromkeys(figures):
        if marked and text != page[0]:
            continue
        confs = sorted((c for t, c in readings if t == text), reverse=True)
        if len(confs) >= 2 and confs[0] >= MIN_CONF and confs[1] >= AGREE_CONF:
            return text, confs[0], True
    read = [(i, t, c) for i, (t, c) in enumerate(readings) if t]
    # The page pass counts here only where it read a digit (it reads specks as letters).
    seen = [r for r in read if r[0] or re.search(r"\d", r[1])]
    if len(seen) == 1:
        at, text, conf = seen[0]
        if at and text in figures and conf >= ALONE_CONF and not marked:
            return text, conf, True
    if not read:
        return "", 100.0, True
    if len(read) == 1 and read[0][0] == 2:
        return "", 100.0 - read[0][2], True
    best = max(read, key=lambda r: r[2])
    return best[1], min(c for _i, _t, c in read), False


def _block_widths(table, rows, figure_cells):
    """How many figure cells the row of each band should have: the most common count (two
    or more) among the table's rows, except in a block whose rows all have one figure
    cell at most. A block is the rows between two rows that are one cell across the whole
    table ("第二十条第（五）项" in table 二): the rows under it hold one figure, merged across
    the columns of the block above, and are not rows whose rules went unseen."""
    counts = Counter(sum(c in figure_cells for c in row) for row in rows)
    counts.pop(0, None)
    counts.pop(1, None)
    width = counts.most_common(1)[0][0] if counts else 0
    blocks, current = [], []
    for b, row in enumerate(rows):
        whole = len(row) == 1 and row[0].x1 - row[0].x0 >= 0.9 * (table.x1 - table.x0)
        if whole and current:
            blocks.append(current)
            current = []
        current.append(b)
    blocks.append(current)
    widths = {}
    for block in blocks:
        single = all(sum(c in figure_cells for c in rows[b]) <= 1 for b in block)
        widths.update(dict.fromkeys(block, 0 if single else width))
    return widths


def _marked(text):
    """Whether the page pass read in a figure cell, beside a figure, a character the
    digit-only passes read as digits of their own: a sign or a unit ("增43", "251000元"),
    or digits with a Chinese character or a symbol ("12%"). A Chinese character read
    alone is the page pass's misreading of small figures ("四" for "12"), not a mark."""
    if text.startswith(("增", "减")) or re.search(r"[元万亿]", text):
        return True
    return bool(re.search(r"\d", text) and re.search(r"[^\w\s,.，．]|[\u3400-\u9fff]", text))


def _without_marks(reading, sign, unit, digits):
    """A digit pass's reading of a cell whose figure the page pass read with a sign before
    it (增/减) or a unit after it (元, 万元): the digit-only engine reads each of those
    characters as a digit ("增8" as "48", "251000元" as "2510007"), so as many are taken
    off, where the reading is exactly that many longer than the page pass's figure."""
    text, conf = reading
    if (sign or unit) and len(text) == len(digits) + len(sign) + len(unit):
        text = text[len(sign) : len(text) - len(unit)]
    return text, conf


def figure_cell(page, digits, normal):
    """A figure cell's text from its three readings, each (text, confidence): the page
    pass's own words (`_own_reading`), the digit pass and the normalised pass. Returns
    (text, confidence, sure, what was read); a sure "" is a cell printed blank.

    A sign or a unit the page pass read with no figure beside it ("减" of "减1", its digit
    lost) is a figure printed there: the cell is never a sure blank then, although the
    digit passes' one digit, as long as the sign, is taken off as the sign misread."""
    first, conf1 = page
    sign = first[:1] if first[:1] in "增减" else ""
    unit = _UNIT.search(first)
    unit = unit[0] if unit and re.search(r"\d", first) else ""
    figure = first[len(sign) : len(first) - len(unit)]
    again, conf2 = _without_marks(digits, sign, unit, figure)
    third, conf3 = _without_marks(normal, sign, unit, figure)
    value, conf, sure = decide(
        (figure, conf1), (again, conf2), (third, conf3), marked=_marked(first)
    )
    read = "/".join(dict.fromkeys((first, again, third)))
    if not value and sure and not sign:
        return "", conf, True, read
    if not value:
        return "", conf, False, read
    return (sign + value + unit if sure else value), conf, sure, read


def _own_reading(cell):
    """The page pass's reading of a figure cell: its words that lie within the cell (a
    word running over the cell's sides holds the neighbours' figures too: "0000" read
    over four cells whose rules were erased), as (text, lowest confidence)."""
    own = [w for w in cell.words if w[1] >= cell.x0 - 6 and w[1] + w[5] <= cell.x1 + 6]
    mine = Cell(cell.top, cell.bottom, cell.x0, cell.x1, cell.y0, cell.y1, own)
    conf = mine.conf
    return re.sub(r"\s", "", mine.text), 100.0 if conf is None else conf


@dataclass
class Page:
    lines: list  # text lines in reading order (table rows as strict pipe rows)
    figures: list  # one dict per figure cell: row label, column, text read, confidence, status
    angle: float = 0.0


def read_page(img):
    """One page image -> Page (text lines and the figure cells' confidences)."""
    from PIL import Image, ImageOps

    from .extract import strict_row

    grey = ImageOps.grayscale(img) if img.mode != "L" else img
    if grey.width < 1500:  # scans under ~180 dpi: tesseract reads 20-30 px characters best
        scale = 1654 / grey.width
        grey = grey.resize((1654, round(grey.height * scale)), 3)  # 3: bicubic
    binary = _binary(grey)
    angle = deskew_angle(binary)
    if angle:  # the grey page turned, then thresholded again (a turned binary is grey)
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        binary = _binary(grey)
    tables, h_rules, v_rules = find_tables(binary)
    # Shaded cells and paper grey go white: the engine's own global threshold would
    # otherwise fall between white and a light shade and black out a shaded cell.
    erased = erase_rules(grey, h_rules, v_rules)
    clean = erased.point(lambda v: 255 if v > 180 else v)
    words = _tesseract(clean, lang=LANG, psm=6)
    all_cells = [c for t in tables for c in t.cells]
    loose = []
    for w in words:
        cx, cy = w[0] + w[2] / 2, w[1] + w[3] / 2
        for cell in all_cells:
            if cell.x0 <= cx < cell.x1 and cell.y0 <= cy < cell.y1:
                cell.words.append((w[1], w[0], w[5], w[4], w[3], w[2]))
                break
        else:
            loose.append(w)
    # Figure cells: one-band cells not wider than half their table whose first reading
    # has at most one Chinese character (a misread figure; two or more make a label),
    # and wider ones read as a figure with no Chinese at all (table 二's 本年处理决定数量,
    # one cell across three columns: "550" read "S50").
    figure_cells = [
        c
        for t in tables
        for c in t.cells
        if c.bottom == c.top
        and (
            len(_CJK.findall(_UNIT.sub("", c.text))) < 2
            if c.x1 - c.x0 < (t.x1 - t.x0) / 2
            else _WIDE_FIGURE.fullmatch(_UNIT.sub("", c.text))
        )
    ]
    second = _digits_pass(clean, figure_cells)
    third_pass = _normalised_pass(erased, figure_cells)
    items, figures = [], []
    for table in tables:
        rows = [[c for c in table.cells if c.top == b] for b in range(len(table.bands))]
        widths = _block_widths(table, rows, figure_cells)
        for b, row in enumerate(rows):
            width = widths[b]
            label = "".join(c.text for c in row if c not in figure_cells)
            n_fig = sum(c in figure_cells for c in row)
            # Two numbered rows in one band (a rule between them was not seen), fewer
            # figure cells than the table's rows have (a rule between them not seen), or
            # figures in a cell that is not a figure cell: the figures cannot be placed.
            broken = (
                any(len(p.findall(label)) > 1 for p in _ROW_NUMBERS)
                or 0 < n_fig < width
                or any(
                    c not in figure_cells and re.fullmatch(r"[\d\s,.，．增减]+", c.text)
                    for c in row
                )
            )
            # A header row whose cells the digit passes find no digit in (one header
            # cell's words lost or misread as "2") is no row of figures gone astray.
            figures_read = any(
                re.search(r"\d", again[id(c)][0])
                for c in row
                if c in figure_cells
                for again in (second, third_pass)
            )
            if broken and width and not figures_read:
                texts = [c.text if c not in figure_cells else "" for c in row]
                items.append((table.bands[b][0], strict_row(texts)))
                continue
            if broken and width:
                heads = [c.text for c in row if c not in figure_cells and _CJK.search(c.text)]
                items.append((table.bands[b][0], strict_row(heads + [UNSURE] * width)))
                figures.append(
                    {"row": label, "column": 0, "read": "", "confidence": 0.0, "taken": False}
                )
                continue
            merged = broken
            texts = []
            for c in row:
                if c not in figure_cells:
                    texts.append(c.text)
                    continue
                text, conf, sure, read = figure_cell(
                    _own_reading(c), second[id(c)], third_pass[id(c)]
                )
                if sure and not text:
                    texts.append("")
                    continue
                sure = sure and not merged
                texts.append(text if sure else UNSURE)
                figures.append(
                    {
                        "row": label,
                        "column": len(figures),
                        "read": read,
                        "confidence": round(conf, 1),
                        "taken": sure,
                    }
                )
            items.append((table.bands[b][0], strict_row(texts)))
            texts = []
    items.extend(loose_lines(loose))
    items.sort(key=lambda item: item[0])
    return Page([text for _, text in items], figures, angle)


# ---- Documents ------------------------------------------------------------------------


def pdf_page_count(data):
    import pypdfium2

    return len(pypdfium2.PdfDocument(data))


def pdf_images(data, *, max_pages=None, dpi=DPI):
    """The pages of a PDF rendered as grey images (pypdfium2, which pdfplumber ships with)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        for i in range(len(doc) if max_pages is None else min(len(doc), max_pages)):
            page = doc[i]
            yield page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
    finally:
        doc.close()


def open_image(data):
    """A PNG or JPEG upload as a grey image (refused when it is not a page-sized picture)."""
    from PIL import Image, UnidentifiedImageError

    from .extract import UnsupportedInput

    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > IMAGE_MAX_PIXELS:
            raise UnsupportedInput(
                f"无法读取：图片有 {img.width}×{img.height} 像素，远大于一页扫描件，请缩小后再上传。"
            )
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnsupportedInput("图片文件已损坏或不是 PNG/JPEG 图片，无法读取。") from exc
    if img.width < 600 or img.height < 300:
        raise UnsupportedInput(
            f"图片只有 {img.width}×{img.height} 像素，太小，无法识别文字：请以 150–300 dpi 扫描整页后上传。"
        )
    return img.convert("L")


def _read_one(img):
    return read_page(img)


def read_images(images, *, workers=1, progress=None):
    """Page images -> (text, meta): every page read (in parallel on `workers` cores)."""
    import time

    started = time.monotonic()
    images = list(images)
    pages = []
    if workers > 1 and len(images) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(min(workers, len(images))) as pool:
            for i, page in enumerate(pool.imap(_read_one, images)):
                pages.append(page)
                if progress:
                    progress(i + 1, len(images))
    else:
        for i, img in enumerate(images):
            pages.append(read_page(img))
            if progress:
                progress(i + 1, len(images))
    figures = []
    for number, page in enumerate(pages, 1):
        for fig in page.figures:
            figures.append({"page": number, **{k: v for k, v in fig.items() if k != "column"}})
    meta = {
        "engine": f"{engine_version() or 'tesseract'} {LANG}",
        "pages": len(pages),
        "seconds": round(time.monotonic() - started, 1),
        "figures": figures,
    }
    text = "\n".join(line for page in pages for line in page.lines)
    return label_by_position(mend_headings(text)), meta


# ---- The sums confirm, correct or reject what was read -----------------------------------


def _equations(report):
    """The national tables' sums as [(cell, coefficient)] lists that add to 0
    (regulation.md §2.6: row totals of table 三, 一 + 二 = 三（七） + 四 and the result rows
    adding to （七） per column, each group of table 四 adding to its 总计)."""
    from . import tables

    cols = [c.key for c in tables.REQUEST_COLUMNS]
    req = report["requests"]
    keys = [k for k in req if not (k == "other" and report["template"] == "2021")]
    results = [k for k in tables.RESULT_KEYS if k != "other"]
    results += list(tables.OTHER_PARTS) if report["template"] == "2021" else ["other"]
    eqs = []
    for key in keys:
        eqs.append(
            [(("requests", key, c), 1) for c in cols[:-1]] + [(("requests", key, "total"), -1)]
        )
    for col in cols:
        eqs.append(
            [
                (("requests", "new", col), 1),
                (("requests", "carried_over", col), 1),
                (("requests", "total", col), -1),
                (("requests", "carry_forward", col), -1),
            ]
        )
        eqs.append(
            [(("requests", k, col), 1) for k in results] + [(("requests", "total", col), -1)]
        )
    acols = [c.key for c in tables.APPEAL_COLUMNS]
    for group in report["appeals"]:
        eqs.append(
            [(("appeals", group, c), 1) for c in acols[:-1]] + [(("appeals", group, "total"), -1)]
        )
    return [eq for eq in eqs if all(cell[1] in report[cell[0]] for cell, _ in eq)]


def _where(cell):
    section, row, col = cell
    return f"{section}.{row}/{col}"


def _rows_in(text):
    """The table 三 rows whose label the OCR text prints on a table row."""
    from . import parsing

    found = set()
    for raw in text.split("\n"):
        if not raw.startswith("|"):
            continue
        line = parsing.split_line(raw)
        if line is None or not line.labels or not line.region:
            continue
        key = parsing.request_row("".join(line.labels), has_values=True)
        if key:
            found.add(key)
    return found


def verify(report, text=None):
    """A report read from OCR text, made safe by the tables' sums (never a misread printed).

    A figure the two readings disagreed on was printed "?" and the parser left it
    blank; the figures of a sum that does not hold are all suspect. A suspect or
    blank cell is filled only when one sum determines it and another sum, wholly
    read, confirms it; every other suspect cell is left blank with a finding.
    """
    from .findings import INFO, WARNING, finding

    if report.get("template") not in ("2019", "2021"):
        return report
    eqs = _equations(report)
    findings = report["findings"]
    unsure = {f["where"] for f in findings if f["rule"] == "PARSE"}

    def get(cell):
        return report[cell[0]][cell[1]][cell[2]]

    def put(cell, value):
        report[cell[0]][cell[1]][cell[2]] = value

    # A blank in a row whose label was read is a printed blank (0, as the checker takes
    # it); the cells of a row the page did not yield are unknown.
    rows_read = _rows_in(text) if text is not None else None

    def row_unread(cell):
        section, row, _col = cell
        if section == "requests" and rows_read is not None:
            return row not in rows_read
        return all(v is None for v in report[section][row].values())

    unknown = {
        cell
        for eq in eqs
        for cell, _ in eq
        if _where(cell) in unsure or (get(cell) is None and row_unread(cell))
    }

    # A 总计 the scan shows blank in a row that prints a figure other than 0, in a table
    # whose other rows print their 总计, is one the OCR lost, not a blank the table prints.
    # (Some tables leave 总计 blank on every result row: there a blank is the table's own.)
    req = report["requests"]
    result_rows = {
        key: row
        for key, row in req.items()
        if key not in ("new", "carried_over", "total", "carry_forward", "other")
    }
    with_figures = [
        row for row in result_rows.values() if any(v for c, v in row.items() if c != "total")
    ]
    printed_totals = sum(1 for row in with_figures if row.get("total") is not None)
    lost_is_likely = printed_totals >= 3 and printed_totals > len(with_figures) - printed_totals
    for key, row in result_rows.items():
        cell = ("requests", key, "total")
        if row.get("total") is not None or cell in unknown or not lost_is_likely:
            continue
        others = [("requests", key, c) for c in row if c != "total"]
        if any(c in unknown or get(c) for c in others):
            unknown.add(cell)

    # As the checker: a 总计 printed blank is not summed, nor a column of results all blank.
    def printed_blank(cell):
        return cell not in unknown and get(cell) is None

    def summed(eq):
        totals = [cell for cell, k in eq if k < 0]
        parts = [cell for cell, k in eq if k > 0]
        if len(totals) == 1 and printed_blank(totals[0]):
            return False
        return not (len(parts) > 2 and all(printed_blank(c) for c in parts))

    eqs = [eq for eq in eqs if summed(eq)]
    suspect = set()
    for eq in eqs:
        if all(cell not in unknown for cell, _ in eq):
            if sum((get(cell) or 0) * k for cell, k in eq) != 0:
                suspect.update(cell for cell, _ in eq)
    held = {cell: get(cell) for cell in suspect}
    unknown |= suspect
    filled = {}
    progress = True
    while progress:
        progress = False
        for eq in eqs:
            missing = [(cell, k) for cell, k in eq if cell in unknown]
            if len(missing) != 1:
                continue
            cell, k = missing[0]
            rest = sum((get(c) or 0) * kk for c, kk in eq if c != cell)
            value = -rest * k
            if value < 0:
                continue
            put(cell, value)
            unknown.discard(cell)
            filled[cell] = eq
            progress = True
    # A filled figure stands only when a second sum, wholly known, holds with it.
    for cell, source in filled.items():
        confirmed = any(
            eq is not source
            and any(c == cell for c, _ in eq)
            and all(c not in unknown for c, _ in eq)
            and sum((get(c) or 0) * k for c, k in eq) == 0
            for eq in eqs
        )
        if not confirmed:
            unknown.add(cell)
    for cell in unknown:
        put(cell, None)
    # Whatever still breaks a sum is not printed as fact.
    for eq in eqs:
        if all(cell not in unknown for cell, _ in eq) and sum(
            (get(cell) or 0) * k for cell, k in eq
        ):
            for cell, _ in eq:
                if cell not in unknown:
                    unknown.add(cell)
                    held.setdefault(cell, get(cell))
                    put(cell, None)
    for cell in sorted(unknown):
        read = held.get(cell)
        why = (
            f"识别为“{read}”，但与所在行或列的合计关系不符"
            if read is not None
            else "两次识别结果不一致"
        )
        findings.append(
            finding(
                "PARSE",
                WARNING,
                _where(cell),
                f"扫描件文字识别：此格{why}，且无法由合计关系确定，已留空，请对照原件核实。",
                None,
                read,
            )
        )
    resolved = {_where(c) for c in set(filled) - unknown}
    findings[:] = [
        f
        for f in findings
        if not (f["rule"] == "PARSE" and f["where"] in resolved and f["actual"] == UNSURE)
    ]
    for cell in sorted(set(filled) - unknown):
        was = held.get(cell)
        how = f"识别为“{was}”，与合计关系不符" if was is not None else "两次识别结果不一致"
        findings.append(
            finding(
                "PARSE",
                INFO,
                _where(cell),
                f"扫描件文字识别：此格{how}，按表格的合计关系（两处互相印证）读作 {get(cell)}，请对照原件核实。",
                get(cell),
                was,
            )
        )
    return report


def summary(meta, report):
    """The finding that tells the reader the tables were read from a scan, and how surely."""
    from .findings import INFO, finding

    taken = sum(f["taken"] for f in meta["figures"])
    blank = sum(
        1
        for f in report["findings"]
        if f["rule"] == "PARSE"
        and f["severity"] == "warning"
        and f["where"].startswith(("proactive.", "requests.", "appeals."))
    )
    return finding(
        "PARSE",
        INFO,
        "source",
        f"这是扫描件：表格由文字识别读出（{meta['engine']}，{meta['pages']} 页，用时 "
        f"{meta['seconds']} 秒）。{len(meta['figures'])} 个数字单元格中 {taken} 个多次识别一致并被采用，"
        f"其余由表格的合计关系推算或留空（{blank} 处无法确定，见下）；每格的识别置信度见 JSON 导出的 "
        "source.ocr。数字均已按合计关系核验，仍请对照原件核实。",
    )


# ---- Table 三 rows by position -------------------------------------------------------------

_REQUESTS_HEADING = "收到和处理政府信息公开申请情况"
_APPEALS_HEADING = "行政复议、行政诉讼情况"


def _canonical_labels():
    """Table 三's rows of each template as the text renderer labels them (group and row)."""
    from . import tables

    out = {}
    for key, rows in (("2019", tables.REQUEST_ROWS_2019), ("2021", tables.REQUEST_ROWS_2021)):
        out[key] = [(row.key, " ".join(dict.fromkeys((*row.groups, row.label)))) for row in rows]
    return out


def _distance(text, target, *, within=False):
    """Edits (a character changed, dropped or added) that turn text into target; within:
    the fewest that turn some stretch of text into target."""
    prev = [0] * (len(text) + 1) if within else list(range(len(text) + 1))
    for i, t in enumerate(target, 1):
        cur = [i]
        for j, ch in enumerate(text, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ch != t)))
        prev = cur
    return min(prev) if within else prev[-1]


_STRAY = re.compile(r"[\s!-/:-@\[-`{-~]")  # spaces and ASCII marks OCR scatters in a line


def _has_heading(line, heading):
    """Whether a line holds the heading, one character in five misread, dropped or added
    ("公开□请": 申 misread as a figure the engine was unsure of)."""
    return _distance(_STRAY.sub("", line), heading, within=True) <= len(heading) // 5


_SECTION_LINE = re.compile(r"^\s*([一二三四五六])\s*[、.．,，]?\s*(.+)$")


def mend_headings(text):
    """The national sections' headings as the template prints them, where OCR misread one
    character in five of them ("四、政府信息公开;了政复议、:了政诉讼情况"): the parser
    finds each section by the words of its heading."""
    from . import tables

    titles = {h.split("、", 1)[0]: h for h in tables.SECTIONS}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _SECTION_LINE.match(line)
        heading = titles.get(m[1]) if m and not line.startswith("|") else None
        if heading is None or line == heading:
            continue
        title = heading.split("、", 1)[1]
        if _distance(_STRAY.sub("", m[2]), title) <= len(title) // 5:
            lines[i] = heading
    return "\n".join(lines)


def label_by_position(text):
    """Table 三's rows labelled by their place in the national template.

    OCR garbles labels far more than figures. Table 三 is the national template:
    when the scan shows exactly as many figure rows as the template has rows (23 in
    the 2019 format, 25 in the 2021 one), and every row whose label was recognised
    sits at its own place (at least half of them recognised, none elsewhere), each
    row takes its template label. Otherwise the text is left as it is.
    """
    from . import parsing
    from .cells import is_value

    lines = text.split("\n")
    start = next(
        (i for i, ln in enumerate(lines) if _has_heading(ln, _REQUESTS_HEADING)),
        None,
    )
    if start is None:
        return text
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if not lines[i].startswith("|")
            and (_has_heading(lines[i], _APPEALS_HEADING) or re.match(r"^四\s*[、.．]", lines[i]))
        ),
        None,
    )
    if end is None:
        return text
    data = []
    for i in range(start + 1, end):
        if not lines[i].startswith("|"):
            continue
        cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        tail = 0
        while tail < len(cells) and is_value(cells[len(cells) - 1 - tail]):
            tail += 1
        if tail < 7:
            continue
        if not data and not any(re.search(r"\d", c) for c in cells[-7:]):
            continue  # header rows read as figures before the first row with a figure
        data.append((i, cells[:-7], cells[-7:]))
    templates = {len(rows): rows for rows in _canonical_labels().values()}
    rows = templates.get(len(data))
    if rows is None:
        return text
    recognised = 0
    for (_i, heads, _values), (key, _label) in zip(data, rows, strict=True):
        label = "".join(h for h in heads if h != UNSURE)
        if not label:
            continue
        found = parsing.request_row(label, has_values=True)
        if found is None:
            continue
        if found == key.split(".")[0] != key:
            continue  # only the group's name read ("（六）其他处理" over its first row)
        if found != key:
            return text  # a recognised row out of its place: the rows are not aligned
        recognised += 1
    if recognised * 2 < len(rows):
        return text
    from .extract import strict_row

    for (i, _heads, values), (_key, label) in zip(data, rows, strict=True):
        lines[i] = strict_row([label, *values])
    return "\n".join(lines)
