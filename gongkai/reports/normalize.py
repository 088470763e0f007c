"""Text normalisation for report reading: script, width, whitespace. Pure Python.

Reports arrive in simplified or traditional script, with full- or half-width
punctuation and with spaces inside labels (自 然 人). Everything downstream
reads the simplified, half-width form; `source.script` records the original.
"""

import functools
import re

import opencc

# Full-width ASCII variants (！ to ～) map to ASCII; the ideographic space to a space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: None, 0xFEFF: None})
# Table separators seen in the wild: box-drawing and full-width bars.
_WIDTH.update({0x2502: ord("|"), 0xFF5C: ord("|"), 0x2503: ord("|")})
_WIDTH[0x2212] = ord("-")


def to_halfwidth(text):
    return text.translate(_WIDTH)


@functools.cache
def _converter():
    return opencc.OpenCC("t2s")


@functools.cache
def _traditional_chars():
    """Characters OpenCC's t2s changes: their presence marks traditional script."""
    chars = "".join(chr(cp) for cp in range(0x4E00, 0xA000))
    return frozenset(a for a, b in zip(chars, _converter().convert(chars), strict=True) if a != b)


def detect_script(text):
    """'traditional' when several distinct traditional-only characters occur."""
    return "traditional" if len(set(text) & _traditional_chars()) >= 3 else "simplified"


def to_simplified(text):
    return _converter().convert(text)


def normalise(text):
    """(simplified half-width text with \\n line ends, original script)."""
    script = detect_script(text)
    if script == "traditional":
        text = to_simplified(text)
    text = to_halfwidth(text).replace("\r\n", "\n").replace("\r", "\n")
    return text, script


_LABEL_DROP = re.compile(r"[\s()（）:：,，、.．\"“”'‘’·\-—_/|]")


def label_key(text):
    """A label reduced for matching: no spaces, punctuation or brackets."""
    return _LABEL_DROP.sub("", text)
