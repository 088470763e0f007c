"""The demo bureau for `make run`: 示范市公安局, its departments and a few years of cases.

Every case goes through the workflow functions (cases/workflow.py) with explicit
past dates, so each has its full audit trail. Deterministic: a seeded random
generator and a pinned `today`. The three years before `today` are complete; the
current year runs up to `today`, with open cases, some due within 3 working days
and one overdue. Volumes lie within the seed reports' range (3–258 a year).
"""

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction

from gongkai.agencies.models import Agency, Department, Membership, Role
from gongkai.cases import workflow
from gongkai.cases.models import ApplicantType as A
from gongkai.cases.models import Case
from gongkai.cases.models import Channel as C
from gongkai.cases.models import DefaultBusinessType as B
from gongkai.cases.models import FormWanted as F
from gongkai.demo import appeals as appeals_demo
from gongkai.demo.users import DEMO_USERS
from gongkai.workdays import loading

AGENCY_NAME = "示范市公安局"
AGENCY_CODE = "SFGAJ"
DEPARTMENTS = (
    "办公室",
    "治安支队",
    "户政科",
    "交警支队",
    "出入境管理支队",
    "网安支队",
    "刑侦支队",
    "城关派出所",
)
SEED = 20260101
# Requests received in the three full years before `today`; the current year gets
# FULL_YEAR_VOLUME prorated to `today`.
VOLUMES = (32, 41, 50)
FULL_YEAR_VOLUME = 56

# business type: (weight, departments, what is asked for)
BUSINESS = {
    B.TRAFFIC: (
        26,
        ("交警支队",),
        (
            "申请公开{y}年本市{road}交通事故统计数据",
            "申请公开{road}路口电子警察设置依据及审批文件",
            "申请公开本人名下机动车{y}年交通违法记录的处理依据",
        ),
    ),
    B.HOUSEHOLD: (
        20,
        ("户政科", "城关派出所"),
        (
            "申请公开本市{y}年户籍人口统计数据",
            "申请公开本人户口迁移审批的办理依据",
            "申请公开{road}片区集体户口管理规定",
        ),
    ),
    B.PUBLIC_ORDER: (
        18,
        ("治安支队", "城关派出所"),
        (
            "申请公开{y}年本市娱乐场所治安检查情况",
            "申请公开{road}一带{y}年治安案件的立案情况",
            "申请公开本人报警求助的接处警记录",
        ),
    ),
    B.EXIT_ENTRY: (8, ("出入境管理支队",), ("申请公开{y}年普通护照签发的办理时限规定",)),
    B.CRIMINAL: (
        7,
        ("刑侦支队",),
        ("申请公开本人报案的立案决定书", "申请公开{y}年电信诈骗案件统计"),
    ),
    B.CYBER: (5, ("网安支队",), ("申请公开{y}年网络安全等级保护备案统计",)),
    B.ECONOMIC_CRIME: (3, ("刑侦支队",), ("申请公开{y}年经济犯罪案件统计数据",)),
    B.PETITION: (4, ("办公室",), ("反映{road}派出所民警执法不规范问题并要求公开处理结果",)),
    B.OTHER: (
        9,
        ("办公室",),
        ("申请公开本局{y}年部门预算及三公经费", "申请公开本局{y}年政府采购合同"),
    ),
}
ROADS = ("人民路", "解放路", "建设大道", "滨江路", "新华街", "城关镇", "工业园区", "火车站")
APPLICANTS = {
    A.NATURAL_PERSON: (86, ("张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴")),
    A.COMMERCIAL: (5, ("示范市宏达物流有限公司", "示范市顺安驾驶培训有限公司")),
    A.RESEARCH: (1, ("示范大学法学院",)),
    A.SOCIAL_WELFARE: (1, ("示范市交通安全志愿者协会",)),
    A.LEGAL_SERVICE: (5, ("北京市某某律师事务所", "示范市正义律师事务所")),
    A.OTHER_ORG: (2, ("城关镇幸福里社区居民委员会",)),
}
GIVEN = ("伟", "芳", "敏", "静", "强", "磊", "洋", "娟", "军", "勇", "艳", "杰")
CHANNELS = {C.ONLINE: 55, C.IN_PERSON: 16, C.REGISTERED_MAIL: 15, C.LETTER: 8, C.FAX: 2, C.OTHER: 4}
# outcome: (weight, legal basis)
OUTCOMES = {
    "granted": (34, "《政府信息公开条例》第三十六条第（二）项"),
    "partial": (14, "《政府信息公开条例》第三十七条、第三十六条第（二）项"),
    "unavailable.not_held": (20, "《政府信息公开条例》第三十六条第（四）项"),
    "unavailable.needs_creation": (4, "《政府信息公开条例》第三十八条"),
    "unavailable.unclear": (2, "《政府信息公开条例》第二十九条第二款、第三十条"),
    "not_processed.petition": (3, "《政府信息公开条例》第三十九条第一款"),
    "not_processed.duplicate": (2, "《政府信息公开条例》第三十六条第（六）项"),
    "not_processed.confirm_or_reissue": (1, "《政府信息公开条例》第三十六条"),
    "denied.enforcement_file": (3, "《政府信息公开条例》第十六条第二款、第三十六条第（三）项"),
    "denied.third_party": (2, "《政府信息公开条例》第十五条、第三十六条第（三）项"),
    "denied.process_info": (2, "《政府信息公开条例》第十六条第二款、第三十六条第（三）项"),
    "denied.state_secret": (1, "《政府信息公开条例》第十四条、第三十六条第（三）项"),
}

# The facts and reasons each demo reply states (Art. 36: every refusal 说明理由).
REASONS = {
    "partial": "所申请的统计报表中含有报案人姓名、身份证号码和住址等个人信息，"
    "公开会损害其合法权益；已删除上述内容后提供其余部分。",
    "unavailable.not_held": "经在本局档案室、办公室和治安支队业务系统中检索，"
    "本局没有制作或者获取所申请的信息。",
    "unavailable.needs_creation": "本局没有按申请所列口径统计的现成数据，"
    "提供该信息需要对执法记录重新汇总、分析。",
    "unavailable.unclear": "补正后的申请仍未写明所需信息的名称、文号、形成时间或其他特征性描述，"
    "本局无法确定所需信息。",
    "not_processed.petition": "申请内容是对民警执法行为的投诉，要求调查处理，"
    "并非获取已制作或者获取的政府信息。",
    "not_processed.duplicate": "申请人此前就同一信息提出过申请，本局已作出答复。",
    "not_processed.confirm_or_reissue": "申请人要求本局确认其已获取的文件是否真实有效，"
    "该要求不是获取政府信息。",
    "denied.enforcement_file": "所申请的是正在办理的治安案件的询问笔录和调查材料，"
    "属于行政执法案卷信息，该案尚未办结。",
    "denied.third_party": "所申请的信息载有第三方企业的经营数据，经书面征求意见，"
    "第三方不同意公开，不公开不会对公共利益造成重大影响。",
    "denied.process_info": "所申请的是本局研究治安防控方案的会议讨论记录和内部请示，"
    "属于过程性信息。",
    "denied.state_secret": "所申请的警力部署方案已依法确定为国家秘密。",
}


def _pick(rng, weighted):
    keys = list(weighted)
    weights = [v[0] if isinstance(v, tuple) else v for v in weighted.values()]
    return rng.choices(keys, weights)[0]


class _Builder:
    """Drives demo cases through the workflow for one agency, up to `today`."""

    def __init__(self, agency, today, rng):
        self.agency, self.today, self.rng = agency, today, rng
        self.cal = loading.get_calendar(agency.code).provisional(today.year + 1)
        self.users = {u.username: u for u in User.objects.filter(username__in=_usernames())}
        self.depts = {d.name: d for d in agency.departments.all()}
        self.handler_of = {}
        for demo in DEMO_USERS:
            for role, names in demo.roles:
                for name in names if role == Role.HANDLER else ():
                    self.handler_of[name] = self.users[demo.username]

    def wd(self, day, n):
        return self.cal.nth_workday_after(day, n) if n > 0 else day

    def workday_on_or_after(self, day):
        return day if self.cal.is_workday(day) else self.wd(day, 1)

    def register(self, received, business):
        rng, u = self.rng, self.users
        applicant_type = _pick(rng, APPLICANTS)
        names = APPLICANTS[applicant_type][1]
        name = rng.choice(names)
        if applicant_type == A.NATURAL_PERSON:
            name += rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        channel = _pick(rng, CHANNELS)
        dates = {"submitted_on": received}
        if channel == C.REGISTERED_MAIL:
            dates = {"submitted_on": received - dt.timedelta(3), "arrived_on": received}
        elif channel != C.IN_PERSON:
            back = 2 if channel == C.LETTER else rng.choice((0, 0, 1))
            dates = {"submitted_on": received - dt.timedelta(back), "confirmed_on": received}
        form = F.PICKUP if channel == C.IN_PERSON else rng.choice((F.ELECTRONIC, F.MAIL, F.PAPER))
        template = rng.choice(BUSINESS[business][2])
        return workflow.register(
            self.agency,
            by=u["registrar"] if channel == C.ONLINE else u["clerk"],
            applicant_type=applicant_type,
            applicant_name=name,
            applicant_id_document=f"身份证 4501{rng.randrange(10**13, 10**14)}",
            applicant_contact=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            applicant_address=f"示范市{rng.choice(ROADS)}{rng.randrange(1, 300)}号",
            channel=channel,
            content=template.format(y=received.year - 1, road=rng.choice(ROADS)),
            form_wanted=form,
            business_type=business,
            **dates,
        )

    def steps(self, case, business):
        """The case's planned steps as (date, function), in order."""
        rng, u = self.rng, self.users
        clerk, base = u["clerk"], case.received_on
        plan = []
        if rng.random() < 0.06:  # 补正 (Art. 30)
            asked = self.wd(base, 2)
            due = asked + dt.timedelta(15)
            plan.append(
                (
                    asked,
                    lambda c, on, d=due: workflow.request_correction(
                        c,
                        by=clerk,
                        on=on,
                        items="请写明所需信息的名称、文号或便于查询的特征描述",
                        correction_due_on=d,
                    ),
                )
            )
            if rng.random() < 0.3:
                plan.append(
                    (
                        due + dt.timedelta(1),
                        lambda c, on: workflow.lapse_correction(c, by=clerk, on=on),
                    )
                )
                return plan
            base = self.workday_on_or_after(asked + dt.timedelta(rng.randrange(3, 12)))
            plan.append((base, lambda c, on: workflow.record_correction(c, by=clerk, on=on)))
        names = BUSINESS[business][1]
        dept = self.depts[rng.choice(names)]
        handler = self.handler_of[dept.name]
        day = self.wd(base, 1)
        plan.append((day, lambda c, on: workflow.assign(c, by=clerk, department=dept, on=on)))
        if rng.random() < 0.05:  # 撤回申请
            plan.append(
                (
                    self.wd(day, rng.randrange(1, 6)),
                    lambda c, on: workflow.withdraw(
                        c, by=clerk, on=on, reason="申请人书面撤回申请"
                    ),
                )
            )
            return plan
        outcome = _pick(rng, OUTCOMES)
        if rng.random() < 0.04 or outcome == "denied.third_party":  # 征求第三方意见 (Art. 32)
            day = self.wd(day, 2)
            plan.append(
                (
                    day,
                    lambda c, on: workflow.consult(
                        c, by=handler, party="third_party", addressee="相关第三方当事人", on=on
                    ),
                )
            )
            day = self.wd(day, rng.randrange(5, 13))
            plan.append(
                (
                    day,
                    lambda c, on: workflow.record_consultation_answer(
                        c.consultations.get(), by=handler, on=on, answer="不同意公开"
                    ),
                )
            )
        extend = rng.random() < 0.04
        if extend:  # 延期答复 (Art. 33 第二款), before the original deadline
            ext_on = self.wd(day, rng.randrange(10, 15))
            plan.append(
                (
                    ext_on,
                    lambda c, on: workflow.approve_extension(
                        c,
                        by=u["office_head"],
                        on=on,
                        notified_on=on,
                        reason="需调取档案并征询相关部门意见，无法按期答复",
                    ),
                )
            )
        day = self.wd(day, rng.randrange(18, 28) if extend else rng.randrange(3, 12))

        def draft(c, on):
            basis, reasons = OUTCOMES[outcome][1], REASONS.get(outcome, "")
            return workflow.draft_decision(
                c, by=handler, outcome=outcome, legal_basis=basis, reasons=reasons, on=on
            )

        plan.append((day, draft))
        if rng.random() < 0.04:  # 法制审查退回 then redrafted
            day = self.wd(day, 1)
            plan.append(
                (
                    day,
                    lambda c, on: workflow.review(
                        c,
                        by=u["legal"],
                        kind="legal",
                        passed=False,
                        on=on,
                        comments="法律依据引用不准确，请核对条款",
                    ),
                )
            )
            day = self.wd(day, 1)
            plan.append((day, draft))
        day = self.wd(day, 1)
        plan.append(
            (day, lambda c, on: workflow.review(c, by=u["legal"], kind="legal", passed=True, on=on))
        )
        plan.append(
            (
                day,
                lambda c, on: workflow.review(
                    c, by=u["secrecy"], kind="secrecy", passed=True, on=on
                ),
            )
        )
        approver = u["leader"] if outcome.startswith("denied.") else u["office_head"]
        day = self.wd(day, 1)
        plan.append((day, lambda c, on: workflow.approve(c, by=approver, on=on)))
        plan.append((day, lambda c, on: workflow.reply(c, by=clerk, on=on)))
        method = {F.PICKUP: "direct", F.ELECTRONIC: "electronic"}.get(case.form_wanted, "mail")
        if method == "electronic" and day < self.today - dt.timedelta(90):
            # 电子送达 renders and keeps the reply PDF: only the recent ones (make run stays
            # quick); older electronic requests were collected in person.
            method = "direct"
        ems = f"E{rng.choice('ABCLMR')}{rng.randrange(10**8, 10**9)}CN"
        plan.append(
            (day, lambda c, on: workflow.deliver(c, by=clerk, method=method, on=on, ems=ems))
        )
        if method == "mail":
            # the EMS 回执 comes back a few days later (the recent ones still wait in 待办)
            signed = day + dt.timedelta(3)
            plan.append(
                (
                    day + dt.timedelta(5),
                    lambda c, on: workflow.record_signature(c, by=clerk, on=on, signed_on=signed),
                )
            )
        plan.append(
            (
                day + dt.timedelta(rng.randrange(20, 60)),
                lambda c, on: workflow.archive(c, by=clerk, on=on),
            )
        )
        return plan

    def run(self, case, plan):
        for on, step in plan:
            if on > self.today:
                break
            case = step(case, on)
        return case

    def case(self, received):
        business = _pick(self.rng, BUSINESS)
        case = self.register(received, business)
        return self.run(case, self.steps(case, business))

    def pending(self, received, business, dept, drafted=False):
        """A case left open in its handling department (for the deadline dashboards)."""
        u = self.users
        case = self.register(received, business)
        assigned_on = self.wd(received, 1)
        case = workflow.assign(case, by=u["clerk"], department=self.depts[dept], on=assigned_on)
        if drafted:
            case = workflow.draft_decision(
                case,
                by=self.handler_of[dept],
                outcome="granted",
                legal_basis=OUTCOMES["granted"][1],
                on=self.wd(assigned_on, 4),
            )
        return case


def _usernames():
    return [d.username for d in DEMO_USERS]


def ensure_bureau():
    """The demo agency, its departments and the demo users' memberships (idempotent)."""
    agency, _ = Agency.objects.get_or_create(code=AGENCY_CODE, defaults={"name": AGENCY_NAME})
    depts = {n: Department.objects.get_or_create(agency=agency, name=n)[0] for n in DEPARTMENTS}
    users = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    for demo in DEMO_USERS:
        for role, names in demo.roles:
            for dept in [depts[n] for n in names] or [None]:
                Membership.objects.get_or_create(
                    user=users[demo.username], agency=agency, department=dept, role=role
                )
    # The demo's replies name the 行政复议机关 and the court (a reply needs both).
    from gongkai.letters.models import Letterhead

    Letterhead.objects.get_or_create(
        agency=agency,
        defaults={
            "full_name": AGENCY_NAME,
            "number_prefix": "示公开〔{year}〕",
            "signature": AGENCY_NAME,
            "address": "示范市中山路1号",
            "phone": "0000-12345678",
            "reconsideration_body": "示范市人民政府",
            "court": "示范市中山区人民法院",
        },
    )
    return agency


def _received_days(rng, year, count, last):
    start = dt.date(year, 1, 1)
    span = (min(last, dt.date(year, 12, 31)) - start).days
    return sorted(start + dt.timedelta(rng.randrange(span + 1)) for _ in range(count))


@transaction.atomic
def load(today=None):
    """The demo bureau and, once, its cases; returns how many cases were created."""
    today = today or dt.date.today()
    if not loading.national_years():
        loading.load_chinesecalendar()
    agency = ensure_bureau()
    if Case.objects.filter(agency=agency).exists():
        return 0
    rng = random.Random(SEED)
    b = _Builder(agency, today, rng)
    years = [today.year - 3 + i for i in range(3)]
    volumes = dict(zip(years, VOLUMES, strict=True))
    volumes[today.year] = FULL_YEAR_VOLUME * today.timetuple().tm_yday // 366
    # leave the last 25 working days of `today` to the hand-placed cases below
    last = today - dt.timedelta(40)
    cases = []
    for year, count in volumes.items():
        for day in _received_days(rng, year, count, last):
            cases.append(b.case(b.workday_on_or_after(day)))
    recent = [b.cal.nth_workday_after(today - dt.timedelta(40), n) for n in range(1, 12)]
    for day in recent:
        if day < today:
            cases.append(b.case(day))
    # Due within 3 working days (received 17–19 working days ago), and one overdue.
    for back, business, dept in ((17, B.HOUSEHOLD, "户政科"), (18, B.PUBLIC_ORDER, "治安支队")):
        received = _workdays_before(b.cal, today, back)
        cases.append(b.pending(received, business, dept, drafted=back == 18))
    cases.append(b.pending(_workdays_before(b.cal, today, 19), B.CRIMINAL, "刑侦支队"))
    cases.append(b.pending(_workdays_before(b.cal, today, 26), B.TRAFFIC, "交警支队"))
    replied = [c for c in cases if c.replied_on and c.outcome.startswith(("denied", "unavail"))]
    appeals_demo.load(b, replied)  # recorded through gongkai/appeals/workflow.py
    return len(cases)


def _workdays_before(cal, day, n):
    """The working day d with exactly n working days in (d, day]."""
    d = day - dt.timedelta(1)
    while not (cal.is_workday(d) and cal.workdays_between(d, day) >= n):
        d -= dt.timedelta(1)
    return d
