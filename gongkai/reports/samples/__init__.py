"""Sample annual reports for the 年报体检 page's "用示例报告试一试" button.

Copies of the five published seed reports (tests/testdata/), so the running
app never reads test data. Keyed by a short slug used in forms and URLs.
"""

from pathlib import Path

DIR = Path(__file__).resolve().parent

# slug -> (file name, label shown to people)
SAMPLES = {
    "haining-2021": ("000_fabcd17deb21b667.txt", "海宁市公安局 2021年度（沿用2019年格式）"),
    "guangdong-2017": ("001_45b3fb819af8aa55.txt", "广东省公安厅 2017年度（繁体，叙述式）"),
    "shizuishan-2020": ("002_6d8c5d61ee13f09e.txt", "石嘴山市公安局 2020年度"),
    "linxia-2023": ("003_d2595053a6fdd77d.txt", "临夏州公安局 2023年度"),
    "songxian-2020": ("004_42380e1adf95d416.txt", "嵩县公安局 2020年度"),
}
DEFAULT = "haining-2021"


def choices():
    return [(slug, label) for slug, (_name, label) in SAMPLES.items()]


def read(slug):
    """(file name, text) of a sample; KeyError for an unknown slug."""
    name, _label = SAMPLES[slug]
    return name, (DIR / name).read_text(encoding="utf-8-sig")
