"""Every setting the code reads has one home: declared in settings.py, listed in the README."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
GETATTR = re.compile(r"getattr\(\s*settings\s*,\s*[\"']([A-Z0-9_]+)[\"']")


def _read_with_getattr():
    names = set()
    for path in (ROOT / "gongkai").rglob("*.py"):
        if "tests" not in path.parts:
            names |= set(GETATTR.findall(path.read_text(encoding="utf-8")))
    return names


def test_each_setting_read_with_getattr_is_declared_in_settings_and_the_readme():
    names = _read_with_getattr()
    assert "GONGKAI_COUNT_RECEIPT_DAY" in names  # the search itself works
    source = (ROOT / "gongkai" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undeclared = {n for n in names if not re.search(rf"^{n}\s*=", source, re.MULTILINE)}
    assert undeclared == set(), "declare these in settings.py"
    assert all(hasattr(settings, n) for n in names)
    unlisted = {n for n in names if f"`{n}`" not in readme}
    assert unlisted == set(), "list these in the README's configuration table"
