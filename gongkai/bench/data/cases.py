"""Bulk case generator for benchmarks (`manage.py generate_cases`).

Skips the per-case workflow: writes cases and their minimal CaseEvents (登记, and
答复/撤回/逾期未补正 for concluded ones) with bulk_create, in batches. The rows keep
the model's constraints and a consistent status: a concluded case has an outcome,
closed_on ≥ received_on and a concluded status; an open case has an open status and
a due date (the statutory clock's reply period, Art. 33). Deterministic for a seed.
"""

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction

from gongkai.agencies.models import Agency, Department
from gongkai.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    TrackingCounter,
    hash_query_code,
)
from gongkai.cases.models import EventKind as K
from gongkai.cases.models import Status as S
from gongkai.demo.bureau import APPLICANTS, BUSINESS, CHANNELS, DEPARTMENTS, OUTCOMES
from gongkai.workdays import clock, loading

GENERATOR_USER = "case-generator"
# Extra outcomes that are not a reply: 撤回 (other.other), 逾期未补正 (other.no_correction).
_OUTCOMES = {**{k: v[0] for k, v in OUTCOMES.items()}, "other.other": 5, "other.no_correction": 1}
_STUCK = 0.003  # share of old cases still open (the overdue list)
# Generated cases were all received (no 待确认 among them).
_RUNNING = [s for s in OPEN_STATUSES if s != S.AWAITING_CONFIRMATION]
# Varied request texts, so that search has something to tell apart.
_TOPICS = (
    "治安案件统计数据",
    "交通事故责任认定书",
    "户籍迁移办理依据",
    "出入境证件办理时限",
    "行政处罚决定书",
    "网吧监管检查记录",
    "消防安全检查结果",
    "禁毒宣传经费使用情况",
    "警务督察通报",
    "信访事项处理结果",
    "电动自行车登记规定",
    "居住证办理流程",
    "道路交通监控设备设置依据",
    "烟花爆竹燃放管理通告",
    "养犬登记管理办法",
    "110接警处置记录",
    "强制措施执行依据",
    "拘留所管理制度",
    "校园周边治安整治情况",
    "停车收费标准",
)


class GenerateError(ValueError):
    """Bad generator input; the message is Chinese."""


def parse_years(text):
    """'2019-2025' or '2024' → (first, last)."""
    first, _, last = str(text).partition("-")
    try:
        first, last = int(first), int(last or first)
    except ValueError:
        raise GenerateError(f"年份范围“{text}”格式不对，请写成 2019-2025 或 2024。") from None
    if not 2008 <= first <= last <= 2100:
        raise GenerateError(
            f"年份范围“{text}”无效：起始年份不能晚于结束年份，且须在2008–2100之间。"
        )
    return first, last


def ensure_agency(code, name=None):
    """The agency `code`, created with the demo's departments if missing."""
    agency, _ = Agency.objects.get_or_create(
        code=code, defaults={"name": name or f"基准测试机关{code}"}
    )
    for dept in DEPARTMENTS:
        Department.objects.get_or_create(agency=agency, name=dept)
    return agency


def _due_table(cal, first, last):
    """received_on → due_on for every day of the range: the statutory clock's reply
    period (Art. 33 第二款; 15 days under the 2008 rules), counted as the workflow counts."""
    day, end, out = dt.date(first, 1, 1), dt.date(last, 12, 31), {}
    count_receipt_day = loading.count_receipt_day()
    while day <= end:
        events = clock.CaseEvents(received=day)
        out[day] = clock.due_date(cal, events, count_receipt_day=count_receipt_day)
        day += dt.timedelta(1)
    return out


def _row(rng, agency, number, received, due, end, depts, code_hash):
    applicant_type = rng.choices(list(APPLICANTS), [v[0] for v in APPLICANTS.values()])[0]
    channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
    business = rng.choices(list(BUSINESS), [v[0] for v in BUSINESS.values()])[0]
    case = Case(
        agency=agency,
        department=rng.choice(depts),
        tracking_number=number,
        query_code_hash=code_hash,
        applicant_type=applicant_type,
        applicant_name=f"申请人{number[-6:]}",
        channel=channel,
        submitted_on=received,
        arrived_on=received if channel == "registered_mail" else None,
        confirmed_on=None if channel in ("in_person", "registered_mail") else received,
        received_on=received,
        content=f"申请公开{received.year}年{rng.choice(_TOPICS)}（{number[-5:]}）",
        form_wanted="electronic",
        business_type=business,
        due_on=due,
        original_due_on=due,
    )
    closed_on = received + dt.timedelta(rng.randrange(1, 29))
    if closed_on > end or rng.random() < _STUCK:
        case.status = rng.choice(_RUNNING)
        if case.status in (S.REGISTERED, S.CORRECTION_REQUESTED):
            case.department = None
        return case, None
    outcome = rng.choices(list(_OUTCOMES), list(_OUTCOMES.values()))[0]
    case.outcome, case.closed_on = outcome, closed_on
    if outcome.startswith("other."):
        case.status = S.CLOSED
        return case, K.WITHDRAW if outcome == "other.other" else K.LAPSE_CORRECTION
    case.replied_on = case.approved_on = closed_on
    case.legal_review_passed = case.secrecy_review_passed = True
    case.delivery_method, case.delivered_on = "electronic", closed_on
    case.status = S.DELIVERED
    return case, K.REPLY


def generate(agency, count, years, *, batch=10_000, seed=1, progress=None):
    """Write `count` cases of `agency` received in `years` (first, last); returns count.

    Each batch is one transaction; `progress(done, count)` is called after each.
    """
    if count < 0 or batch < 1:
        raise GenerateError("件数不能为负数，每批件数至少为 1。")
    first, last = years
    end = dt.date(last, 12, 31)
    rng = random.Random(seed)
    cal = loading.get_calendar(agency.code).provisional(last + 1)
    due = _due_table(cal, first, last)
    days = sorted(due)
    depts = list(agency.departments.all())
    if not depts:
        raise GenerateError(f"机关“{agency.name}”没有部门，请先建立承办部门。")
    actor, _ = User.objects.get_or_create(username=GENERATOR_USER, defaults={"is_active": False})
    code_hash = hash_query_code(f"GEN-{agency.code}")  # generated cases have no usable 查询码
    # Tracking numbers continue each year's sequence: {code}-{year}-{n:05d}.
    per_year = {
        y: Case.objects.filter(tracking_number__startswith=f"{agency.code}-{y}-").count()
        for y in range(first, last + 1)
    }
    received_days = sorted(rng.choice(days) for _ in range(count))
    done = 0
    while done < count:
        chunk = received_days[done : done + batch]
        rows, closing = [], []
        for received in chunk:
            per_year[received.year] += 1
            number = f"{agency.code}-{received.year}-{per_year[received.year]:05d}"
            case, kind = _row(rng, agency, number, received, due[received], end, depts, code_hash)
            rows.append(case)
            closing.append(kind)
        with transaction.atomic():
            Case.objects.bulk_create(rows, batch_size=batch)
            events = [
                CaseEvent(case=c, kind=K.REGISTER, actor=actor, data={"status": S.REGISTERED})
                for c in rows
            ]
            events += [
                CaseEvent(
                    case=c,
                    kind=kind,
                    actor=actor,
                    data={"on": c.closed_on.isoformat(), "status": c.status},
                )
                for c, kind in zip(rows, closing, strict=True)
                if kind is not None
            ]
            CaseEvent.objects.bulk_create(events, batch_size=batch)
        done += len(chunk)
        if progress:
            progress(done, count)
    for year, last in per_year.items():  # registration continues after these numbers
        counter, _ = TrackingCounter.objects.get_or_create(agency=agency, year=year)
        if counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])
    return done
