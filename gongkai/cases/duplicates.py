"""重复申请 / 相似申请: how alike two requests are, and whether one repeats another.

Pure: no ORM, no clock. The caller fetches the candidate cases (cases/views.py,
`duplicate_candidates`) and passes plain values in.

- similarity(a, b): Jaccard index of the character bigrams of the two contents after
  normalisation (NFKC, lower case, punctuation and white space removed); 1.0 for the
  same text, 0.0 for texts sharing no bigram, symmetric.
- classify(...): "repeat" when the same applicant (same name and identity document, or
  the same contact) asked for similar content within 12 months; "similar" for similar
  content from anyone else (or from the same applicant longer ago); None otherwise.

A repeat is only a candidate: Art. 36(六) lets the agency decline to process it again
(表三 不予处理 2.重复申请) only when it has already replied to the earlier request, and
the clerk decides.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Applicant:
    name: str = ""
    id_document: str = ""
    contact: str = ""


def _key(text):
    return normalise(text)


def same_applicant(a, b):
    """The same person or organisation: same name and identity document, or same contact."""
    if _key(a.id_document) and _key(a.name):
        if _key(a.id_document) == _key(b.id_document) and _key(a.name) == _key(b.name):
            return True
    return bool(_key(a.contact)) and _key(a.contact) == _key(b.contact)


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


def classify(applicant, day, other_applicant, other_day, score, *, threshold=SIMILAR_THRESHOLD):
    """REPEAT, SIMILAR or None for a request compared with an earlier one.

    applicant/day: the request being looked at; other_applicant/other_day: the earlier
    request and its receipt (or submission) date; score: similarity of the contents.
    """
    if score < threshold:
        return None
    recent = other_day is not None and window_start(day) <= other_day <= day
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
