"""重复申请 / 相似申请: how alike two requests are, and whether one repeats another.

Pure: no ORM, no clock (personal_data.normalise is a plain function). The caller
fetches the candidate cases (cases/views.py, `duplicate_candidates`) and passes plain
values in.

- similarity(a, b): Jaccard index of the character bigrams of the two contents after
  normalisation (NFKC, lower case, punctuation and white space removed); 1.0 for the
  same text, 0.0 for texts sharing no bigram, symmetric.
- classify(...): "repeat" when the same applicant (same name and identity document, or a
  telephone number or e-mail address in common) asked for similar content within 12
  months before or after (a letter posted before an online request may be registered
  after it: the order of the dates does not matter); "similar" for similar content
  from anyone else (or from the same applicant longer ago); None otherwise.
- contact_keys / id_key: one normalisation of the identity for every channel (the
  online form writes "电话：…；电子邮箱：…" and "居民身份证：…", staff type what the
  letter says), used here and for the indexed columns of cases.models.Case.

A repeat is only a candidate: Art. 36(六) lets the agency decline to process it again
(表三 不予处理 2.重复申请) only when it has already replied to the earlier request, and
the clerk decides.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from gongkai import personal_data

SIMILAR_THRESHOLD = 0.5  # bigram Jaccard from which two contents count as similar
REPEAT_MONTHS = 12
MAX_SHOWN = 5

REPEAT = "repeat"
SIMILAR = "similar"

_NOISE = re.compile(r"[\W_]+")  # punctuation, symbols and white space (CJK stays)


def normalise(text):
    """The text compared: NFKC (full width → half width), lower case, no punctuation or space."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(text or "")).lower())


def bigrams(text):
    """The set of character bigrams of the normalised text (a single character is its own)."""
    norm = normalise(text)
    if len(norm) < 2:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def jaccard(left, right):
    """|A ∩ B| / |A ∪ B| of two bigram sets; two empty sets are identical (1.0)."""
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def similarity(a, b):
    """How alike two request contents are, from 0.0 (nothing shared) to 1.0 (same text)."""
    return jaccard(bigrams(a), bigrams(b))


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9][0-9\s\-()（）]{5,}[0-9]")


def phone_key(text):
    """A telephone number as digits only, without the country code (+86 / 0086) of a
    mainland mobile number: "+86 138-0000-0000" and "13800000000" are the same key."""
    digits = re.sub(r"\D", "", str(text or ""))
    for prefix in ("0086", "86"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and len(rest) == 11 and rest.startswith("1"):
            return rest
    return digits if 7 <= len(digits) <= 20 else ""


def contact_keys(text):
    """{("email", "a@b.cn"), ("phone", "13800000000"), …} found in a contact text."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    keys = set()
    for match in _EMAIL.finditer(text):
        keys.add(("email", match.group().lower()))
    rest = _EMAIL.sub(" ", text)
    for match in _PHONE.finditer(rest):
        key = phone_key(match.group())
        if key:
            keys.add(("phone", key))
    return frozenset(keys)


def first_key(text, kind):
    """The first key of `kind` ("phone" or "email") in a contact text, or ""."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    if kind == "email":
        match = _EMAIL.search(text)
        return match.group().lower() if match else ""
    for match in _PHONE.finditer(_EMAIL.sub(" ", text)):
        key = phone_key(match.group())
        if key:
            return key
    return ""


def id_key(text):
    """An identity document as compared (personal_data.normalise, which the encrypted
    column's search digest uses too)."""
    return personal_data.normalise(text)


@dataclass(frozen=True)
class Applicant:
    name: str = ""
    id_document: str = ""
    contact: str = ""


def same_applicant(a, b):
    """The same person or organisation: the same name and identity document number,
    or a telephone number or e-mail address in common, however each was written
    ("居民身份证：…" online, the number alone at the counter)."""
    if id_key(a.id_document) and normalise(a.name):
        if id_key(a.id_document) == id_key(b.id_document) and normalise(a.name) == normalise(
            b.name
        ):
            return True
    return bool(contact_keys(a.contact) & contact_keys(b.contact))


def window_start(day, months=REPEAT_MONTHS):
    """The first day of the `months` months up to `day` (29 February → 28 February)."""
    year, month = divmod(day.month - 1 - months, 12)
    year, month = day.year + year, month + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, last)
        except ValueError:
            continue
    raise AssertionError(day)  # unreachable: every month has 28 days


def window_end(day, months=REPEAT_MONTHS):
    """The last day of the `months` months after `day` (the mirror of window_start)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, last)
        except ValueError:
            continue
    raise AssertionError(day)  # unreachable: every month has 28 days


def classify(applicant, day, other_applicant, other_day, score, *, threshold=SIMILAR_THRESHOLD):
    """REPEAT, SIMILAR or None for a request compared with an earlier one.

    applicant/day: the request being looked at; other_applicant/other_day: the other
    request and its receipt (or submission) date, before or after `day`; score:
    similarity of the contents.
    """
    if score < threshold:
        return None
    recent = other_day is not None and window_start(day) <= other_day <= window_end(day)
    if recent and same_applicant(applicant, other_applicant):
        return REPEAT
    return SIMILAR


@dataclass(frozen=True)
class Match:
    kind: str  # REPEAT or SIMILAR
    score: float  # 0..1
    ref: object  # the caller's candidate (e.g. a dict of the case's columns)

    @property
    def percent(self):
        return round(self.score * 100)


def rank(content, applicant, day, candidates, *, limit=MAX_SHOWN, threshold=SIMILAR_THRESHOLD):
    """The best `limit` matches among candidates, repeats first, then by similarity.

    candidates: iterable of (content, Applicant, day, ref).
    """
    mine = bigrams(content)
    out = []
    for other_content, other_applicant, other_day, ref in candidates:
        score = jaccard(mine, bigrams(other_content))
        kind = classify(applicant, day, other_applicant, other_day, score, threshold=threshold)
        if kind is not None:
            out.append(Match(kind, score, ref))
    out.sort(key=lambda m: (m.kind != REPEAT, -m.score))
    return out[:limit]
