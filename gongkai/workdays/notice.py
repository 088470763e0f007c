"""Parse a 国务院办公厅 holiday notice (关于YYYY年部分节假日安排的通知) into days (pure).

Handles the current wording ("1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）
放假调休，共8天。1月26日（周日）、2月8日（周六）上班。") and the older one (no
brackets, or 星期X, explicit years such as "2018年12月30日至2019年1月1日", "补休",
"与周末连休"). Every weekday printed in brackets is checked against the date, and
every "共N天" against the period; a notice that contradicts itself is refused.
"""

import datetime as dt
import re
from dataclasses import dataclass

ITEM = re.compile(r"^\s*[一二三四五六七八九十]+、\s*([^：:]+)[：:](.*)$")
DATE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日"
    r"(?:\s*[（(](?P<note>[^）)]*)[）)])?"
)
RANGE_JOIN = re.compile(r"^\s*(?:至|到|—|-|～|~)\s*$")
WEEKDAY_NOTE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
WEEKDAYS = "一二三四五六日"
TITLE_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日安排")
DOC_NUMBER = re.compile(r"国办发明电〔\d{4}〕\d+号|国办发〔\d{4}〕\d+号")
TOTAL = re.compile(r"共(\d+)天")


class NoticeError(ValueError):
    """The notice cannot be read or contradicts itself; the message is Chinese."""


@dataclass(frozen=True)
class ParsedNotice:
    """The days of one year's schedule, each as (date, festival name)."""

    year: int
    holidays: tuple
    workdays: tuple
    source: str

    def as_json(self):
        """The `--dry-run --json` contract: year, every 放假 date, every 上班 date."""
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d, _ in self.holidays],
            "workdays": [d.isoformat() for d, _ in self.workdays],
        }


def _weekday_label(day):
    return "周" + WEEKDAYS[day.weekday()]


class _Dates:
    """Resolves month/day tokens of one item to dates, inheriting year and month."""

    def __init__(self, year, name):
        self.year, self.name = year, name
        self.last = None

    def resolve(self, match, range_start=None):
        """The date of a token; a range's end inherits the start's month and year."""
        year = int(match["y"]) if match["y"] else None
        month = int(match["m"]) if match["m"] else (self.last.month if self.last else None)
        if month is None:
            raise NoticeError(f"“{self.name}”中的“{match[0]}”缺少月份，无法确定日期。")
        if year is None:
            if range_start is not None:
                year = range_start.year + (month < range_start.month)  # 12月30日至1月1日
            elif month == 12 and "元旦" in self.name:
                year = self.year - 1  # 元旦's make-up days in the December before
            else:
                year = self.year
        try:
            day = dt.date(year, month, int(match["d"]))
        except ValueError:
            raise NoticeError(
                f"“{self.name}”中的日期“{match[0]}”不存在，请核对通知原文。"
            ) from None
        self._check_weekday(day, match)
        self.last = day
        return day

    def _check_weekday(self, day, match):
        note = match["note"] or ""
        found = WEEKDAY_NOTE.search(note)
        if not found:
            return
        printed = found.group(1).replace("天", "日")
        if WEEKDAYS.index(printed) != day.weekday():
            raise NoticeError(
                f"通知自相矛盾：“{self.name}”中的“{match[0]}”标注为周{printed}，"
                f"但{day.year}年{day.month}月{day.day}日是{_weekday_label(day)}。"
                "请核对通知原文（年份是否正确），改正后再导入。"
            )


def _span(start, end):
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _sentence_dates(sentence, resolver):
    """Dates of a sentence; 'A至B' ranges are expanded. Returns (dates, ranges)."""
    matches = list(DATE.finditer(sentence))
    dates, ranges, i = [], [], 0
    while i < len(matches):
        start = resolver.resolve(matches[i])
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if nxt and RANGE_JOIN.match(sentence[matches[i].end() : nxt.start()]):
            end = resolver.resolve(nxt, range_start=start)
            if end < start:
                raise NoticeError(f"“{resolver.name}”的放假期间 {start} 至 {end} 结束早于开始。")
            dates.extend(_span(start, end))
            ranges.append((start, end))
            i += 2
        else:
            dates.append(start)
            i += 1
    return dates, ranges


def _parse_item(name, body, year):
    resolver = _Dates(year, name)
    holidays, workdays = [], []
    for sentence in re.split(r"[。；;]", body):
        if "上班" in sentence:
            workdays.extend(_sentence_dates(sentence, resolver)[0])
        elif any(word in sentence for word in ("放假", "补休", "调休")):
            dates, ranges = _sentence_dates(sentence, resolver)
            _check_total(name, sentence, dates)
            holidays.extend(dates)
    return holidays, workdays


def _check_total(name, sentence, dates):
    total = TOTAL.search(sentence) or re.search(r"放假(\d+)天", sentence)
    if total and int(total.group(1)) != len(set(dates)):
        raise NoticeError(
            f"通知自相矛盾：“{name}”写明共{total.group(1)}天，但所列日期共{len(set(dates))}天。"
        )


def _check_consistency(year, holidays, workdays):
    both = set(holidays) & set(workdays)
    if both:
        day = min(both)
        raise NoticeError(f"通知自相矛盾：{day} 既是放假日又是上班日。")
    for day, name in workdays:
        if day.weekday() < 5:
            raise NoticeError(
                f"“{name}”的上班日 {day}（{_weekday_label(day)}）本来就是工作日，调休上班日应为周六或周日。"
            )
    for day, name in holidays + workdays:
        if abs(day.year - year) > 1:
            raise NoticeError(f"“{name}”中的日期 {day} 不属于{year}年的安排，请核对年份。")


def parse_notice(text, year=None):
    """Parse a notice's text into a ParsedNotice; raise NoticeError with a Chinese message."""
    title = TITLE_YEAR.search(text)
    if title and year is not None and int(title.group(1)) != year:
        raise NoticeError(f"通知标题是{title.group(1)}年的安排，但指定的年份是{year}年，请核对。")
    year = year if year is not None else (int(title.group(1)) if title else None)
    if year is None:
        raise NoticeError("无法从通知中确定年份，请用 --year 指定。")
    holidays, workdays = {}, {}
    for line in text.splitlines():
        item = ITEM.match(line)
        if not item:
            continue
        name = item.group(1).strip()
        days_off, days_on = _parse_item(name, item.group(2), year)
        for day in days_off:
            holidays.setdefault(day, name)
        for day in days_on:
            workdays.setdefault(day, name)
    if not holidays:
        raise NoticeError(
            "未能从通知中识别出任何放假安排（应有“一、元旦：1月1日放假……”这样的条目）。"
        )
    holidays, workdays = sorted(holidays.items()), sorted(workdays.items())
    _check_consistency(year, holidays, workdays)
    number = DOC_NUMBER.search(text)
    source = f"国务院办公厅 {number.group(0)}" if number else f"国务院办公厅{year}年节假日安排通知"
    return ParsedNotice(year, tuple(holidays), tuple(workdays), source)
