"""Letter text without a template engine: named placeholders, Chinese dates, money.

Pure: no ORM. A template body is plain text with named placeholders such as
`{申请人}`; `{{` and `}}` stand for literal braces. Nothing else is interpreted:
there is no attribute access, indexing, format specification or code, so an
agency's edited template can only insert the values the code provides.
"""

import decimal
from dataclasses import dataclass

BLANK = "＿＿＿＿"  # shown where a value is not recorded yet, to be filled in by hand

_DIGITS = "〇一二三四五六七八九"


class TemplateError(Exception):
    """A template that cannot be used; `errors` lists every problem (Chinese)."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("；".join(self.errors))


@dataclass(frozen=True)
class Field:
    name: str


def parse(text):
    """Literal strings and Field(name) in order; raises TemplateError listing every problem."""
    parts, errors = _scan(text)
    if errors:
        raise TemplateError(errors)
    return parts


def _scan(text):
    """(parts, errors): the placeholders that are well formed, and every brace problem."""
    parts, errors, literal = [], [], []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            literal.append("{")
            i += 2
        elif ch == "}" and text.startswith("}}", i):
            literal.append("}")
            i += 2
        elif ch == "{":
            end = _field_end(text, i + 1)
            if end is None:
                errors.append(f"{_where(text, i)}的“{{”没有对应的“}}”。{_BRACE_HINT}")
                i += 1
                continue
            name = text[i + 1 : end].strip()
            if not name:
                errors.append(f"{_where(text, i)}是空的占位符“{{}}”，请填写占位符名称。")
            else:
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(Field(name))
            i = end + 1
        elif ch == "}":
            errors.append(f"{_where(text, i)}的“}}”没有对应的“{{”。{_BRACE_HINT}")
            i += 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        parts.append("".join(literal))
    return parts, errors


_BRACE_HINT = "如需在文书中写大括号本身，请写成“{{”或“}}”。"


def _field_end(text, start):
    """Index of the `}` closing a placeholder opened before `start`; None if it is not closed
    on the same line or another `{` comes first."""
    for j in range(start, len(text)):
        if text[j] == "}":
            return j
        if text[j] in "{\n":
            return None
    return None


def _where(text, i):
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return f"第 {line} 行第 {column} 个字"


def placeholders(text):
    """The placeholder names used in `text`, in order of first use (raises TemplateError)."""
    seen = []
    for part in parse(text):
        if isinstance(part, Field) and part.name not in seen:
            seen.append(part.name)
    return seen


def check(text, allowed):
    """Every problem with `text` as a list of Chinese messages (empty: usable)."""
    parts, errors = _scan(text)
    names = dict.fromkeys(part.name for part in parts if isinstance(part, Field))
    unknown = [name for name in names if name not in allowed]
    if unknown:
        listed = "、".join(f"{{{name}}}" for name in allowed)
        errors.append(
            "未知的占位符："
            + "、".join(f"{{{name}}}" for name in unknown)
            + f"。可用的占位符有：{listed}。"
        )
    return errors


def fill(text, values):
    """`text` with every placeholder replaced by values[name] (BLANK when missing)."""
    out = []
    for part in parse(text):
        if isinstance(part, Field):
            value = values.get(part.name)
            out.append(BLANK if value in (None, "") else str(value))
        else:
            out.append(part)
    return "".join(out)


# ---- Chinese forms of numbers and dates -------------------------------------------------


def _small_number(n):
    """1..99 as 一 … 九十九 (十一, 二十, 二十一)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(day):
    """2026-11-21 → 二〇二六年十一月二十一日 (the 公文 成文日期 style)."""
    if day is None:
        return None
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def money(amount):
    """Decimal('1200') → '1200.00' (元, two decimals); None stays None."""
    if amount is None:
        return None
    return f"{decimal.Decimal(amount).quantize(decimal.Decimal('0.01'))}"


# ---- punctuation -------------------------------------------------------------------------

_STOPS = "。，；、："
_CLOSERS = "”’）》"
_ENDS = "？！"


def tidy(text):
    """`text` with the doubled punctuation that filling values into sentences leaves.

    A value ending in “。” put before the template's own punctuation gives “。，”,
    “。。” or “。”。”: a run of stops keeps only its last one (a “？” or “！” is kept
    over a following “。”), and stops just inside a closing quote or bracket that is
    itself followed by a stop are dropped (“内容。”。” → “内容”。”).
    """
    out = []
    for ch in text:
        if ch in _STOPS and out:
            # Stops just before this one, possibly behind closing quotes/brackets.
            j = len(out)
            while j > 0 and out[j - 1] in _CLOSERS:
                j -= 1
            k = j
            while k > 0 and out[k - 1] in _STOPS + _ENDS:
                k -= 1
            if k < j:
                closers = out[j:]
                kept_end = [c for c in out[k:j] if c in _ENDS]
                del out[k:]
                if kept_end and ch == "。":
                    out.append(kept_end[-1])
                    out.extend(closers)
                    continue
                if closers:
                    out.extend(closers)
                out.append(ch)
                continue
        out.append(ch)
    return "".join(out)
