"""Demo 主动公开 items for `make run`: about 150 items of the demo bureau, 2023 → today.

Every item goes through the workflow (publications/workflow.py) with explicit past
moments, so each has its full trail: 拟稿, 提交, 初审, five 保密审查 checks, 审批,
发布. Among them: 政策解读 published together with their documents (三同步), items
also posted on 微信公众号/微博/抖音/政府公报, a few corrected and a few withdrawn, and
at `today`: items at every review stage, one scheduled publication and one 主动公开
draft past its Art. 26 date (逾期未公开). Deterministic: a seeded random generator and
a pinned `today`. Running it again for the same agency changes nothing.

Call: load(agency, users_by_username, today=None), where users_by_username maps the
demo usernames (gongkai.demo.users.DEMO_USERS) to users: "info" (信息员), "clerk"
(政务公开办), "secrecy" (保密审查), "leader" (分管领导), optional "office_head".
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import Department
from gongkai.publications import samples, workflow
from gongkai.publications.models import (
    Gate,
    Genre,
    Item,
    PublicationChannel,
    PublicationSettings,
    Topic,
)

SEED = 20230101
INDEX_PREFIX = "001008099001001"
FULL_YEAR_VOLUME = 34  # documents a year (plus their interpretations)
FIRST_YEAR_BACK = 3  # 2023 when today is in 2026
INTERPRETED = 0.12  # share of documents published with a 政策解读
# topic → the department that drafts it (names of the demo bureau, gongkai/demo/bureau.py)
DRAFTING_DEPARTMENT = {
    Topic.TRAFFIC: "交警支队",
    Topic.HOUSEHOLD: "户政科",
    Topic.EXIT_ENTRY: "出入境管理支队",
    Topic.CYBER: "网安支队",
    Topic.ANTI_FRAUD: "刑侦支队",
    Topic.PUBLIC_ORDER: "治安支队",
}
CHANNELS = (
    (PublicationChannel.WECHAT, "https://mp.weixin.qq.com/s/demo{n}", 0.35),
    (PublicationChannel.WEIBO, "https://weibo.com/demo/{n}", 0.2),
    (PublicationChannel.DOUYIN, "", 0.05),
    (PublicationChannel.GAZETTE, "", 0.04),
)
ALL_PASS = {g: (True, "") for g in Gate.values}


def _moment(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


def _workday(day):
    while day.weekday() >= 5:
        day += dt.timedelta(1)
    return day


class _Demo:
    def __init__(self, agency, users, today):
        self.agency, self.today = agency, today
        self.rng = random.Random(SEED)
        try:
            self.info, self.office = users["info"], users["clerk"]
            self.secrecy, self.leader = users["secrecy"], users["leader"]
        except KeyError as missing:
            raise KeyError(
                f"demo user {missing} is needed (gongkai.demo.users.DEMO_USERS)"
            ) from None
        self.approver2 = users.get("office_head", self.leader)
        self.departments = {d.name: d for d in Department.objects.filter(agency=agency)}
        self.count = 0

    # -- one item --------------------------------------------------------------------

    def draft(self, written_on, *, kind=None, title=None, interprets=None, genre=None):
        _w, category, kind_genre, topic, titles = (
            kind or self.rng.choices(samples.KINDS, [k[0] for k in samples.KINDS])[0]
        )
        title = title or samples.fill(
            self.rng.choice(titles),
            year=written_on.year,
            month=written_on.month,
            place=self.rng.choice(samples.PLACES),
        )
        genre = genre or kind_genre
        body = samples.BODY.format(topic=Topic(topic).label, genre=Genre(kind_genre).label)
        summary = samples.SUMMARY.format(topic=Topic(topic).label)
        if interprets is not None:
            body = samples.READING_BODY.format(title=interprets.title)
            summary = samples.READING_SUMMARY.format(title=interprets.title)
        number = ""
        if genre in (Genre.CIRCULAR, Genre.NOTICE, Genre.DECISION, Genre.OPINION):
            number = f"示公通〔{written_on.year}〕{self.rng.randrange(1, 90)}号"
        self.count += 1
        return workflow.create(
            self.agency,
            by=self.info,
            now=_moment(written_on, 9),
            department=self.departments.get(DRAFTING_DEPARTMENT.get(topic, "")),
            title=title,
            document_number=number,
            written_on=written_on,
            genre=genre,
            topic=topic,
            category=category,
            summary=summary,
            body=body,
            interprets=interprets,
        )

    def review(self, item, day, until="approved"):
        """Walk `item` through review from `day`, one step per hour."""
        steps = (
            ("submitted", lambda i, t: workflow.submit(i, by=self.info, now=t)),
            (
                "secrecy_review",
                lambda i, t: workflow.first_review(i, by=self.office, now=t, passed=True),
            ),
            (
                "approval",
                lambda i, t: workflow.secrecy_review(i, by=self.secrecy, now=t, results=ALL_PASS),
            ),
            (
                "approved",
                lambda i, t: workflow.approve(
                    i, by=self.rng.choice((self.leader, self.approver2)), now=t
                ),
            ),
        )
        for hour, (name, step) in enumerate(steps, start=10):
            item = step(item, _moment(day, hour))
            if name == until:
                break
        return item

    def document(self, written_on):
        """A published document, sometimes with its 政策解读 published together."""
        lag = self.rng.choice((1, 2, 3, 5, 7, 10, 14))
        day = _workday(written_on + dt.timedelta(lag))
        if day >= self.today:
            return None
        item = self.review(self.draft(written_on), day)
        reading = None
        if item.category in ("normative_documents", "public_order", "traffic", "licensing") and (
            self.rng.random() < INTERPRETED * 3
        ):
            template = samples.INTERPRETATION_TITLE
            genre = Genre.INTERPRETATION
            if self.rng.random() < 0.3:
                template, genre = samples.GRAPHIC_TITLE, Genre.GRAPHIC
            reading = self.draft(
                written_on,
                kind=(0, item.category, genre, item.topic, ()),
                title=template.format(title=item.title),
                interprets=item,
                genre=genre,
            )
            reading = self.review(reading, day)
        item = workflow.publish(item, by=self.office, now=_moment(day, 15, 30))
        self.channels(item, day)
        return item

    def channels(self, item, day):
        for channel, url, share in CHANNELS:
            if self.rng.random() < share:
                workflow.record_channel(
                    item,
                    by=self.info,
                    now=_moment(day, 17),
                    channel=channel,
                    published_on=day,
                    url=url.format(n=item.pk),
                    note=f"第{day.month}期" if channel == PublicationChannel.GAZETTE else "",
                )

    # -- the whole demo --------------------------------------------------------------

    def run(self):
        first = dt.date(self.today.year - FIRST_YEAR_BACK, 1, 4)
        published = []
        for year in range(first.year, self.today.year + 1):
            start = dt.date(year, 1, 4)
            end = min(dt.date(year, 12, 20), self.today - dt.timedelta(20))
            if end <= start:
                continue
            share = (end - start).days / 350
            for _ in range(max(1, round(FULL_YEAR_VOLUME * share))):
                written = _workday(start + dt.timedelta(self.rng.randrange((end - start).days)))
                item = self.document(written)
                if item is not None:
                    published.append(item)
        published.sort(key=lambda i: i.published_at)
        self.corrections(published)
        self.withdrawals(published)
        self.current_work()
        return self.count

    def corrections(self, published):
        candidates = [i for i in published if "0000-12345678" in i.body]
        for item in self.rng.sample(candidates, min(3, len(candidates))):
            later = item.published_at + dt.timedelta(days=1)
            if later.date() >= self.today:
                continue
            workflow.correct(
                item,
                by=self.office,
                now=later,
                reason="正文中咨询电话有误，予以更正",
                body=item.body.replace("0000-12345678", "0000-12345679"),
            )

    def withdrawals(self, published):
        candidates = [i for i in published if i.interprets_id is None]
        for item in self.rng.sample(candidates, min(4, len(candidates))):
            later = item.published_at + dt.timedelta(days=30)
            if later.date() >= self.today:
                continue
            workflow.withdraw(
                item, by=self.office, now=later, reason="该信息已被新发布的文件替代，予以撤回"
            )

    def current_work(self):
        """At `today`: items at every stage, one scheduled, one overdue draft."""
        day = self.today
        recent = _workday(day - dt.timedelta(6))  # at most four days ago
        self.draft(recent)  # 草稿
        self.review(self.draft(recent), recent, until="submitted")  # 待初审
        self.review(self.draft(recent), recent, until="secrecy_review")  # 待保密审查
        self.review(self.draft(recent), recent, until="approval")  # 待领导审批
        self.review(self.draft(recent), recent, until="approved")  # 待发布
        # a secrecy check that failed: back to the drafter with the reviewer's comment
        returned = self.review(self.draft(recent), recent, until="secrecy_review")
        workflow.record_check(
            returned,
            by=self.secrecy,
            now=_moment(recent, 16),
            gate=Gate.SECRECY,
            passed=False,
            comment="第二部分涉及勤务部署安排，属于工作秘密，应删除后再报",
        )
        # scheduled: approved and set to go public next week (定时发布)
        scheduled = self.review(self.draft(recent), recent)
        workflow.publish(
            scheduled,
            by=self.office,
            now=_moment(recent, 16, 30),
            at=_moment(day + dt.timedelta(7), 9),
        )
        # overdue under Art. 26: written six weeks ago, still waiting for 初审
        written = _workday(day - dt.timedelta(42))
        kind = next(k for k in samples.KINDS if k[1] == "normative_documents")
        late = self.draft(written, kind=kind, title="关于规范电动自行车停放充电管理的通告")
        self.review(late, written + dt.timedelta(2), until="submitted")


@transaction.atomic
def load(agency, users_by_username, today=None):
    """Create the demo items of `agency` (once); returns the number of items created."""
    if Item.objects.filter(agency=agency, generated=False).exists():
        return 0
    PublicationSettings.objects.get_or_create(
        agency=agency, defaults={"index_prefix": INDEX_PREFIX}
    )
    today = today or timezone.localdate()
    return _Demo(agency, users_by_username, today).run()
