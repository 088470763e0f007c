"""The demo bureau and the benchmarks stay out of the domain apps' import paths."""

import re
from pathlib import Path

GONGKAI = Path(__file__).resolve().parents[1]
OUTSIDE_APPS = {"demo", "bench", "tests", "static", "templates"}
IMPORT = re.compile(r"^\s*(?:from|import)\s+(gongkai\.(?:demo|bench)\S*|\S+\.demo\b)", re.M)


def _app_modules():
    for app in sorted(p for p in GONGKAI.iterdir() if p.is_dir() and p.name not in OUTSIDE_APPS):
        for path in app.rglob("*.py"):
            parts = path.relative_to(app).parts
            if "tests" in parts or "management" in parts or "migrations" in parts:
                continue
            yield path


def test_no_app_module_imports_a_demo_or_a_benchmark():
    found = {
        str(path.relative_to(GONGKAI)): IMPORT.findall(path.read_text(encoding="utf-8"))
        for path in _app_modules()
    }
    assert {k: v for k, v in found.items() if v} == {}
    assert not list(GONGKAI.glob("*/demo.py")) and not list(GONGKAI.glob("*/bench.py"))
    assert not list(GONGKAI.glob("*/generate.py"))


def test_make_bench_finds_every_benchmark_in_gongkai_bench():
    from gongkai.bench import runner

    expected = [
        *("cases", "inbox", "intake", "library", "portal", "publications"),
        *("register_export", "reports", "workdays"),
    ]
    assert runner.benchmarks() == expected
