"""Demo activity registers for the demo bureau (示范市公安局): the facts its annual
reports' narrative states that no other record holds — 咨询人次, 建议提案, 政策解读和
新闻发布会, 培训, 考核评估, 政务新媒体 — for the three full years before `today`, and
this year's trainings and briefings so far. Figures follow the seeds' orders of
magnitude (a city bureau, not a province). Recorded through
gongkai/activities/registers.py (audited); running it again changes nothing.
"""

import datetime as dt

from django.db import transaction

from gongkai.activities import registers
from gongkai.activities.models import ActivityEvent

# year offset from the last full year (0) backwards -> a small growth from year to year
ENQUIRIES = {"phone": 1300, "in_person": 420, "online": 5800}
PROPOSALS = (("npc", "municipal", 6, 6), ("cppcc", "municipal", 5, 5), ("npc", "county", 2, 2))
NEW_MEDIA = (
    ("wechat", "示范公安", 1205),
    ("weibo", "示范公安", 2984),
    ("douyin", "示范警方", 628),
    ("toutiao", "示范公安", 1118),
)
BRIEFINGS = (
    ("03-15", "press_conference", "“3·15”打击侵犯知识产权犯罪新闻发布会"),
    ("05-20", "interpretation", "《示范市公安局养犬登记管理规定》政策解读"),
    ("09-10", "press_conference", "夏季治安打击整治行动成效新闻发布会"),
    ("11-26", "interpretation", "居住证办理实施细则政策解读"),
)
TRAININGS = (
    ("05-20", "《政府信息公开条例》专题培训", 45),
    ("09-17", "政务公开和政务新媒体业务培训", 70),
)
ASSESSMENTS = (("政务公开纳入全市公安机关绩效考核", "考核等次：优秀"),)


def _grow(n, back):
    """The figure `back` years before the last full year: about 8 % less a year."""
    return n * (100 - 8 * back) // 100


@transaction.atomic
def load(agency, clerk, *, today):
    """Register the demo years' activities; returns the rows added (0 when already there)."""
    if ActivityEvent.objects.filter(agency=agency).exists():
        return 0
    added = 0
    last = today.year - 1
    for year in range(last - 2, today.year + 1):
        back = last - year
        if year < today.year:
            added += _full_year(agency, clerk, year, back)
        for month_day, kind, title in BRIEFINGS:
            day = dt.date.fromisoformat(f"{year}-{month_day}")
            if day < today:
                registers.add(agency, "briefings", by=clerk, kind=kind, held_on=day,
                              title=title, note="")  # fmt: skip
                added += 1
        for month_day, title, attendees in TRAININGS:
            day = dt.date.fromisoformat(f"{year}-{month_day}")
            if day < today:
                registers.add(agency, "trainings", by=clerk, held_on=day, title=title,
                              attendees=_grow(attendees, max(back, 0)), note="")  # fmt: skip
                added += 1
    return added


def _full_year(agency, clerk, year, back):
    add = registers.add
    for channel, persons in ENQUIRIES.items():
        add(agency, "enquiries", by=clerk, year=year, channel=channel,
            persons=_grow(persons, back), note="")  # fmt: skip
    for kind, level, handled, on_time in PROPOSALS:
        add(agency, "proposals", by=clerk, year=year, kind=kind, level=level,
            handled=handled + (1 if back == 0 else 0), on_time=on_time + (1 if back == 0 else 0),
            note="")  # fmt: skip
    for platform, account, posts in NEW_MEDIA:
        add(agency, "newmedia", by=clerk, year=year, platform=platform, account=account,
            posts=_grow(posts, back), note="")  # fmt: skip
    for title, result in ASSESSMENTS:
        add(agency, "assessments", by=clerk, year=year, title=title, result=result, note="")
    return len(ENQUIRIES) + len(PROPOSALS) + len(NEW_MEDIA) + len(ASSESSMENTS)
