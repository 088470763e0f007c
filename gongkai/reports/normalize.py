"""Text normalisation for report reading: script, width, whitespace. Pure Python.

Reports arrive in simplified or traditional script, with full- or half-width
punctuation and with spaces inside labels (自 然 人). Everything downstream
reads the simplified, half-width form; `source.script` records the original.
"""

import functools
import re

from .traditional import CHARS as _TRADITIONAL_CHARS

# Full-width ASCII variants (！ to ～) map to ASCII; the ideographic space to a space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: None, 0xFEFF: None})
# Table separators seen in the wild: box-drawing and full-width bars.
_WIDTH.update({0x2502: ord("|"), 0xFF5C: ord("|"), 0x2503: ord("|")})
_WIDTH[0x2212] = ord("-")


_WIDTH_CHARS = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _WIDTH) + "]")
_WIDTH_STR = {chr(cp): "" if to is None else chr(to) for cp, to in _WIDTH.items()}


def to_halfwidth(text):
    # Replacing each distinct character found is faster than str.translate with a dict
    # (~10x on long texts) and than a regex calling back on every match: a report holds
    # a handful of them (，：（）), each many times.
    return replace_each(text, _WIDTH_CHARS, _WIDTH_STR)


def replace_each(text, pattern, replacement):
    """`text` with every character `pattern` (a character class) matches replaced by
    replacement[ch]: each distinct one found at once, with str.replace, the next searched
    for where it stood (nothing before it matches any more). A findall would list every
    occurrence (a Chinese text has hundreds of full-width commas)."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        ch = m[0]
        text = text.replace(ch, replacement[ch])
        pos = m.start()
    return text


@functools.cache
def _converter():
    import opencc  # only for a traditional text: start-up counts (issue 16)

    return opencc.OpenCC("t2s")


def traditional_chars():
    """Characters OpenCC's t2s changes: their presence marks traditional script. Kept in
    gongkai.reports.traditional (a test holds the two equal)."""
    chars = "".join(chr(cp) for cp in range(0x4E00, 0xA000))
    return frozenset(a for a, b in zip(chars, _converter().convert(chars), strict=True) if a != b)


@functools.cache
def _traditional_pattern():
    return re.compile("[" + _TRADITIONAL_CHARS + "]")


def detect_script(text):
    """'traditional' when several distinct traditional-only characters occur."""
    seen = set()
    for m in _traditional_pattern().finditer(text):
        seen.add(m[0])
        if len(seen) >= 3:
            return "traditional"
    return "simplified"


def to_simplified(text):
    return _converter().convert(text)


def normalise(text):
    """(simplified half-width text with \\n line ends, original script)."""
    script = detect_script(text)
    if script == "traditional":
        text = to_simplified(text)
    text = to_halfwidth(text).replace("\r\n", "\n").replace("\r", "\n")
    return text, script


# Invisible marks normalise() drops; kept text loses them at its edges too.
_EDGE = " \t\u3000\u00a0\u2002\u2003\u200b\ufeff"


def lines_as_written(text):
    """The lines of `text` as written, one for one with normalise(text)[0].split("\\n").

    Normalisation is for reading only (script, width): what the report says is
    printed in its own characters, so the narrative is kept from these lines.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def as_written(line):
    """A line as written, without the blanks and invisible marks at its edges."""
    return line.strip().strip(_EDGE)


_LABEL_DROP = re.compile(r"[\s()（）:：,，、.．\"“”'‘’·\-—_/|]")


@functools.lru_cache(maxsize=16384)
def label_key(text):
    """A label reduced for matching: no spaces, punctuation or brackets."""
    return _LABEL_DROP.sub("", text)
