from pathlib import Path

import pytest

TESTDATA = Path(__file__).parent / "testdata"
SEEDS = {
    "haining_2021": "000_fabcd17deb21b667.txt",
    "guangdong_2017": "001_45b3fb819af8aa55.txt",
    "shizuishan_2020": "002_6d8c5d61ee13f09e.txt",
    "linxia_2023": "003_d2595053a6fdd77d.txt",
    "songxian_2020": "004_42380e1adf95d416.txt",
}


def seed_text(name):
    return (TESTDATA / SEEDS[name]).read_text(encoding="utf-8")


@pytest.fixture
def seed():
    return seed_text
