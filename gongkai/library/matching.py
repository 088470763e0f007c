"""Matching a report to an agency of the directory and a year. Pure Python (no ORM).

The engine reads the agency's name as printed and the reporting year; the file name
often says both too. A report is filed only when exactly one agency answers:
- the printed name (or the file name's longest agency name) equals a name or an
  alias of exactly one agency → filed;
- otherwise it waits in the queue for a person, with the nearest names suggested.

Suggestions use the standard library's difflib (SequenceMatcher ratio), which needs
no dependency and suits names of a few to thirty characters: a one-character
misprint of a name of n characters scores 1 − 1/n (≥ 0.83 for 6 characters), well
above the cut-off. Candidates of the same length that differ in exactly one
character are always suggested first, whatever the ratio (a short name like
"嵩县公安局" with one character wrong scores only 0.8).
"""

import difflib
import functools
import re
from dataclasses import dataclass, field

CUTOFF = 0.6
# A suggestion this close (a one-character misprint scores 0.95) is preselected in the
# queue; a weaker one ("海宁市公安局" → "示范市公安局", 0.67) is listed, never chosen for the person.
LIKELY = 0.9
MAX_SUGGESTIONS = 5
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-9]\d)(?!\d)")
_SPACE = re.compile(r"[\s\u3000·•（）()]+")


def normalise(name):
    """Names compared without spaces and brackets."""
    return _SPACE.sub("", name or "")


@dataclass
class Candidate:
    id: int
    name: str
    aliases: list = field(default_factory=list)

    def names(self):
        return [normalise(n) for n in [self.name, *self.aliases] if normalise(n)]


class Pool(list):
    """Candidates with their names normalised and indexed once: an import matches
    thousands of files against a directory of thousands of agencies (a list of
    Candidate works everywhere a Pool does, indexed on every call)."""

    @functools.cached_property
    def named(self):
        """[(candidate, [normalised names])]"""
        return [(c, c.names()) for c in self]

    @functools.cached_property
    def by_name(self):
        """{normalised name: {candidate ids}}"""
        out = {}
        for c, names in self.named:
            for n in names:
                out.setdefault(n, set()).add(c.id)
        return out

    @functools.cached_property
    def by_char(self):
        """{character: [(i, how often)]}, i indexing `entries` (candidate, name)."""
        out = {}
        for i, (_c, n) in enumerate(self.entries):
            for ch in set(n):
                out.setdefault(ch, []).append((i, n.count(ch)))
        return out

    @functools.cached_property
    def entries(self):
        return [(c, n) for c, names in self.named for n in names]

    def near(self, name):
        """[(candidate, name)] whose difflib quick_ratio with `name` (the share of
        characters in common, order aside) reaches CUTOFF: counted from an index of
        characters, not by comparing with every name of the directory."""
        if len(name) <= 2:  # a one-character misprint of a 2-character name shares 1/2
            return self.entries
        shared = {}
        for ch in set(name):
            mine = name.count(ch)
            for i, theirs in self.by_char.get(ch, ()):
                shared[i] = shared.get(i, 0) + min(mine, theirs)
        size = len(name)
        out = []
        for i, n in shared.items():
            entry = self.entries[i]
            if 2 * n >= CUTOFF * (size + len(entry[1])):
                out.append(entry)
        return out


def _pool(candidates):
    return candidates if isinstance(candidates, Pool) else Pool(candidates)


@dataclass
class Match:
    agency_id: int | None
    year: int | None
    note: str
    suggestions: list  # [{"id", "name", "score"}], best first


def year_from(report_year, filename):
    """The report's year, or the one the file name states (once, unambiguously)."""
    if report_year:
        return report_year
    years = set(_YEAR.findall(filename or ""))
    return int(years.pop()) if len(years) == 1 else None


def _one_off(a, b):
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def suggest(name, candidates, limit=MAX_SUGGESTIONS):
    """The nearest agencies to `name`: [{"id", "name", "score"}], best first."""
    name = normalise(name)
    if not name:
        return []
    scored = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(name)
    for c, n in _pool(candidates).near(name):
        matcher.set_seq1(n)
        if _one_off(n, name):
            score = max(matcher.ratio(), 0.95)
        elif matcher.real_quick_ratio() < CUTOFF or matcher.quick_ratio() < CUTOFF:
            continue
        else:
            score = matcher.ratio()
        if score >= CUTOFF and score > scored.get(c.id, (0.0,))[0]:
            scored[c.id] = (score, c.name)
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
    return [{"id": i, "name": n, "score": round(s, 2)} for i, (s, n) in ranked[:limit]]


def match(printed_agency, report_year, filename, candidates):
    """A Match for a report whose engine-read agency is `printed_agency`."""
    year = year_from(report_year, filename)
    candidates = _pool(candidates)
    by_name = candidates.by_name
    printed = normalise(printed_agency)
    if printed and len(by_name.get(printed, ())) == 1:
        agency_id = next(iter(by_name[printed]))
        note = f"按报告所载机关名称“{printed_agency}”匹配"
    elif printed and len(by_name.get(printed, ())) > 1:
        agency_id = None
        note = f"报告所载机关名称“{printed_agency}”对应多个机关，请人工指定"
    elif printed:  # printed but not in the directory: a person decides (maybe a misprint)
        agency_id, note = None, f"目录中没有报告所载机关名称“{printed_agency}”"
    else:
        agency_id, note = _from_filename(filename, by_name)
    suggestions = [] if agency_id else suggest(printed_agency or _stem(filename), candidates)
    if agency_id and year is None:
        note += "；未能确定报告年度，请人工指定"
        name = next(c.name for c in candidates if c.id == agency_id)
        return Match(None, None, note, [{"id": agency_id, "name": name, "score": 1.0}])
    return Match(agency_id, year, note, suggestions)


def _stem(filename):
    stem = (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return _YEAR.sub("", stem).replace("年", "")


def _from_filename(filename, by_name):
    stem = normalise(_stem(filename))
    found = {n: ids for n, ids in by_name.items() if n and n in stem}
    if not found:
        return None, "报告中未能读出机关名称，文件名中也没有目录中的机关名称"
    longest = max(len(n) for n in found)
    ids = set().union(*(ids for n, ids in found.items() if len(n) == longest))
    if len(ids) == 1:
        return next(iter(ids)), "按文件名中的机关名称匹配"
    return None, "文件名中的机关名称对应多个机关，请人工指定"
