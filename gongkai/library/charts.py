"""Charts drawn on the server: one layout, painted as SVG (web page without JavaScript,
PDF through WeasyPrint) or PNG (DOCX: Word documents take no SVG from python-docx).

A Chart is data: categories and named series. `layout` turns it into shapes
(rectangles, lines, polylines, text) once; `svg` and `png` only paint them, so the
PDF and the DOCX show the same picture. In the browser the same data, read from the
chart's table, is drawn by Apache ECharts (static/library/dashboard.js).
Pure Python (Pillow is imported by `png` only); no Django import.
"""

from dataclasses import dataclass, field
from html import escape

PALETTE = ("#2f6db5", "#d9822b", "#3a9a5b", "#b5412f", "#7d5ba6", "#6b7280")
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, sans-serif"
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar": horizontal bars, one row per category; "line": categories are years
    categories: list[str]
    series: list[tuple[str, list]]  # (name, one value per category; None = not stated)
    unit: str = "件"
    percent: bool = False  # values are shares (0–1), shown as percentages

    def text(self, value):
        if value is None:
            return "—"
        if self.percent:
            return f"{value * 100:.1f}%"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.2f}"
        return f"{int(value):,}"

    def rows(self):
        """(category, [value text…]) for the chart's data table."""
        return [
            (c, [(s[1][i], self.text(s[1][i])) for s in self.series])
            for i, c in enumerate(self.categories)
        ]

    @property
    def empty(self):
        return not any(v for _, values in self.series for v in values if v)


@dataclass
class Shapes:
    width: int
    height: int
    items: list = field(default_factory=list)  # (kind, …) tuples, painted in order


def _nice_max(value):
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * step:
            return m * step
    return 10 * step


def _bar(chart, width, size):
    line = size * 1.9
    label_w = min(width * 0.42, size * 0.95 * max(len(c) for c in chart.categories) + size)
    n = len(chart.series)
    legend = line if n > 1 else 0
    height = int(legend + line * n * len(chart.categories) + size * 2.2 + size)
    top = max((v or 0) for _, vs in chart.series for v in vs)
    top = 1 if chart.percent and top <= 1 else _nice_max(top)
    shapes = Shapes(width, height)
    x0, x1 = label_w, width - size * 5
    y = legend + size * 0.5
    _legend(shapes, chart, size)
    for i, category in enumerate(chart.categories):
        block = line * n
        shapes.items.append(("text", label_w - size * 0.4, y + block / 2, category, "end", size))
        for j, (_name, values) in enumerate(chart.series):
            v = values[i]
            w = 0 if not v else (x1 - x0) * v / top
            by = y + j * line + line * 0.15
            shapes.items.append(("rect", x0, by, max(w, 0.5), line * 0.7, PALETTE[j % 6]))
            shapes.items.append(
                ("text", x0 + w + size * 0.3, by + line * 0.35, chart.text(v), "start", size * 0.9)
            )
        y += block
    shapes.items.append(("line", x0, legend, x0, y + size * 0.2, "#666"))
    return shapes


def _legend(shapes, chart, size):
    if len(chart.series) < 2:
        return
    x = size
    for j, (name, _values) in enumerate(chart.series):
        shapes.items.append(("rect", x, size * 0.35, size, size, PALETTE[j % 6]))
        shapes.items.append(("text", x + size * 1.3, size * 0.85, name, "start", size))
        x += size * (len(name) + 3)


def _line(chart, width, size):
    height = int(size * 18)
    top = max([(v or 0) for _, vs in chart.series for v in vs] + [0])
    top = 1 if chart.percent and top <= 1 else _nice_max(top)
    shapes = Shapes(width, height)
    _legend(shapes, chart, size)
    x0, x1 = size * 5, width - size * 2
    y0, y1 = size * 2.5, height - size * 2.5
    for k in range(5):  # grid and axis labels
        y = y1 - (y1 - y0) * k / 4
        shapes.items.append(("line", x0, y, x1, y, "#ddd"))
        shapes.items.append(
            ("text", x0 - size * 0.4, y, chart.text(top * k / 4), "end", size * 0.85)
        )
    n = len(chart.categories)
    xs = [x0 + (x1 - x0) * (i + 0.5) / n for i in range(n)]
    for x, category in zip(xs, chart.categories, strict=True):
        shapes.items.append(("text", x, y1 + size * 1.2, category, "middle", size * 0.9))
    for j, (_name, values) in enumerate(chart.series):
        points = [
            (x, y1 - (y1 - y0) * v / top) for x, v in zip(xs, values, strict=True) if v is not None
        ]
        if len(points) > 1:
            shapes.items.append(("polyline", points, PALETTE[j % 6]))
        for x, y in points:
            shapes.items.append(("dot", x, y, size * 0.3, PALETTE[j % 6]))
    return shapes


def layout(chart, width=720, size=13):
    if not chart.categories:
        return Shapes(width, size * 2)
    return (_bar if chart.kind == "bar" else _line)(chart, width, size)


def svg(chart, width=720, size=13):
    """The chart as an SVG element (presentation attributes only: no inline styles, so
    the site's Content-Security-Policy allows it)."""
    shapes = layout(chart, width, size)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {shapes.width} {shapes.height}" '
        f'width="{shapes.width}" height="{shapes.height}" role="img" '
        f'aria-label="{escape(chart.title)}" font-family="{FONT_FAMILY}">'
    ]
    for item in shapes.items:
        kind = item[0]
        if kind == "rect":
            _, x, y, w, h, color = item
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}"/>'
            )
        elif kind == "line":
            _, xa, ya, xb, yb, color = item
            out.append(
                f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xb:.1f}" y2="{yb:.1f}" stroke="{color}"/>'
            )
        elif kind == "polyline":
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in item[1])
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{item[2]}" stroke-width="2"/>'
            )
        elif kind == "dot":
            _, x, y, r, color = item
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}"/>')
        else:
            _, x, y, text, anchor, fs = item
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="{fs:.1f}" text-anchor="{anchor}" '
                f'dominant-baseline="central" fill="#222">{escape(str(text))}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _font(size):
    from PIL import ImageFont

    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, int(size))
        except OSError:
            continue
    return ImageFont.load_default(int(size))


def png(chart, width=1440, size=26):
    """The chart as PNG bytes (drawn at twice the SVG's scale, for print)."""
    import io

    from PIL import Image, ImageDraw

    shapes = layout(chart, width, size)
    image = Image.new("RGB", (shapes.width, shapes.height), "white")
    draw = ImageDraw.Draw(image)
    fonts = {}
    anchors = {"start": "lm", "end": "rm", "middle": "mm"}
    for item in shapes.items:
        kind = item[0]
        if kind == "rect":
            _, x, y, w, h, color = item
            draw.rectangle((x, y, x + w, y + h), fill=color)
        elif kind == "line":
            _, xa, ya, xb, yb, color = item
            draw.line((xa, ya, xb, yb), fill=color, width=2)
        elif kind == "polyline":
            draw.line(item[1], fill=item[2], width=4)
        elif kind == "dot":
            _, x, y, r, color = item
            draw.ellipse((x - r, y - r, x + r, y + r), fill=color)
        else:
            _, x, y, text, anchor, fs = item
            font = fonts.setdefault(int(fs), _font(fs))
            draw.text((x, y), str(text), fill="#222222", font=font, anchor=anchors[anchor])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
