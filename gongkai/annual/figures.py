"""The figures the annual report's narrative states, gathered from the records.

`gather(agency, year)` returns {name: int | str}, JSON-serialisable, with stable
dotted names. drafting.py binds each sentence to the names it states, so a later
change of a record shows as a stale sentence (drafting.stale). Every figure comes
from the one place that already counts it:

主动公开 (gongkai/publications/stats.year_figures; published in the year, local time)
  proactive.total                    items published on the website in the year
  proactive.category.<category>      of which per 信息类别 (publications.Category values)
  proactive.channel.<channel>        also published through another channel
                                     (PublicationChannel: wechat, weibo, toutiao, douyin,
                                     gazette, press_conference, other)
  proactive.new_media                of the channel publications, on 政务新媒体
  proactive.interpretations          policy interpretations (items interpreting another)
  proactive.on_time / proactive.late published within / after the Art. 26 period
  proactive.corrected / proactive.withdrawn

规范性文件 and 规章 (gongkai/registers/stats.document_counts)
  documents.normative.issued / .repealed / .in_force
  documents.rules.issued / .repealed / .in_force

依申请公开 (table 三: gongkai/cases/stats.requests_section, the totals column)
  apply.received        本年新收            apply.carried_over   上年结转
  apply.concluded       办结 (三（七）总计)  apply.carry_forward  结转下年度
  apply.granted / apply.partial / apply.denied / apply.unavailable /
  apply.not_processed / apply.other        outcome rows (denied etc. summed)
  apply.channel.<channel>                  new requests by how they arrived
                                           (cases.Channel; only when the year has some)
  apply.replied / apply.replied_on_time / apply.late
                                           replies among the concluded, within / after
                                           the Art. 33 period (gongkai/supervision/stats.py)

复议/诉讼 (table 四: gongkai/appeals/counting.appeals_section)
  appeals.reconsideration.<column>         column: total, upheld, corrected, other, pending
  appeals.litigation.<column>              未经复议直接起诉 + 复议后起诉
  appeals.corrected                        结果纠正 in all three groups

信息处理费 (Art. 42; 国办函〔2020〕109号; cases with fee_paid_on in the year)
  fees.cases            cases that paid       fees.amount   the sum in 元, "0" when none

Registers of gongkai/activities (a register with no row for the year gives no
figures: the narrative leaves the fact out rather than print a 0 nobody recorded)
  enquiries.total, enquiries.<phone|in_person|online>           人次
  proposals.total, proposals.on_time,
  proposals.<npc|cppcc>.total / .on_time / .<national|provincial|municipal|county>
  interpretations.total, press.conferences                      政策解读、新闻发布会
  training.sessions, training.attendees
  assessments.total, assessments.titles (str, "、"-joined)
  newmedia.accounts, newmedia.posts, newmedia.<platform>.accounts / .posts
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum

from gongkai.activities import models as activities
from gongkai.appeals import counting
from gongkai.cases.models import Case
from gongkai.cases.stats import requests_section
from gongkai.publications.stats import year_figures
from gongkai.registers.stats import document_counts
from gongkai.reports import tables
from gongkai.supervision.stats import department_table

OUTCOME_GROUPS = {
    "apply.granted": ("granted",),
    "apply.partial": ("partial",),
    "apply.denied": tuple(k for k in tables.RESULT_KEYS if k.startswith("denied.")),
    "apply.unavailable": tuple(k for k in tables.RESULT_KEYS if k.startswith("unavailable.")),
    "apply.not_processed": tuple(k for k in tables.RESULT_KEYS if k.startswith("not_processed.")),
    "apply.other": ("other",),
}


def _proactive(agency, year):
    f = year_figures(agency, year)
    out = {
        "proactive.total": f["published"],
        "proactive.new_media": f["new_media"],
        "proactive.interpretations": f["interpretations"],
        "proactive.on_time": f["published_on_time"],
        "proactive.late": f["published_late"],
        "proactive.corrected": f["corrected"],
        "proactive.withdrawn": f["withdrawn"],
    }
    out.update({f"proactive.category.{k}": n for k, n in f["by_category"].items()})
    out.update({f"proactive.channel.{k}": n for k, n in f["channels"].items()})
    return out


def _documents(agency, year):
    names = {"normative_documents": "normative", "rules": "rules"}
    return {
        f"documents.{names[kind]}.{key}": n
        for kind, counts in document_counts(agency, year).items()
        for key, n in counts.items()
    }


def _requests(agency, year):
    template = tables.template_for_year(year)
    if template is None or template.narrative_only:
        return {}
    rows = requests_section(agency, year, template)
    out = {
        "apply.received": rows["new"]["total"],
        "apply.carried_over": rows["carried_over"]["total"],
        "apply.concluded": rows["total"]["total"],
        "apply.carry_forward": rows["carry_forward"]["total"],
    }
    for name, keys in OUTCOME_GROUPS.items():
        out[name] = sum(rows[k]["total"] for k in keys if k in rows)
    # By channel: the same cases as 本年新收 (received_on within the year).
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    by_channel = (
        Case.objects.filter(agency=agency, received_on__gte=start, received_on__lte=end)
        .values("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    # Replied on time (Art. 33): supervision's count, the one home of "按期答复".
    counts = department_table(agency, year, today=end, departments=None).total.counts
    out["apply.replied"] = counts["replied"]
    out["apply.replied_on_time"] = counts["on_time"]
    out["apply.late"] = counts["replied"] - counts["on_time"]
    channels = {r["channel"]: r["n"] for r in by_channel}
    if sum(channels.values()) == out["apply.received"]:
        out.update({f"apply.channel.{k}": n for k, n in channels.items() if n})
    return out


def _appeals(agency, year):
    section = counting.appeals_section(agency, year)
    out = {}
    for column in ("total", "upheld", "corrected", "other", "pending"):
        out[f"appeals.reconsideration.{column}"] = section["reconsideration"][column]
        out[f"appeals.litigation.{column}"] = (
            section["litigation_direct"][column] + section["litigation_after"][column]
        )
    out["appeals.corrected"] = sum(group["corrected"] for group in section.values())
    return out


def _fees(agency, year):
    """信息处理费 actually charged (Art. 42; 国办函〔2020〕109号): payments in the year."""
    paid = Case.objects.filter(
        agency=agency, fee_paid_on__year=year, fee_amount__isnull=False
    ).aggregate(cases=Count("id"), amount=Sum("fee_amount"))
    amount = paid["amount"] or Decimal(0)
    return {
        "fees.cases": paid["cases"],
        "fees.amount": "0" if not amount else f"{amount.quantize(Decimal('0.01'))}",
    }


def _enquiries(agency, year):
    rows = dict(
        activities.Enquiry.objects.filter(agency=agency, year=year).values_list(
            "channel", "persons"
        )
    )
    if not rows:
        return {}
    out = {f"enquiries.{k}": n for k, n in rows.items()}
    out["enquiries.total"] = sum(rows.values())
    return out


def _proposals(agency, year):
    rows = list(
        activities.Proposal.objects.filter(agency=agency, year=year).values(
            "kind", "level", "handled", "on_time"
        )
    )
    if not rows:
        return {}
    out = {"proposals.total": 0, "proposals.on_time": 0}
    for r in rows:
        kind = r["kind"]
        out[f"proposals.{kind}.{r['level']}"] = r["handled"]
        for key, n in (("total", r["handled"]), ("on_time", r["on_time"])):
            out[f"proposals.{kind}.{key}"] = out.get(f"proposals.{kind}.{key}", 0) + n
            out[f"proposals.{key}"] += n
    return out


def _briefings(agency, year):
    rows = dict(
        activities.Briefing.objects.filter(agency=agency, year=year)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("kind", "n")
    )
    out = {}
    if activities.BriefingKind.INTERPRETATION in rows:
        out["interpretations.total"] = rows[activities.BriefingKind.INTERPRETATION]
    if activities.BriefingKind.PRESS_CONFERENCE in rows:
        out["press.conferences"] = rows[activities.BriefingKind.PRESS_CONFERENCE]
    return out


def _training(agency, year):
    t = activities.Training.objects.filter(agency=agency, year=year).aggregate(
        sessions=Count("id"), attendees=Sum("attendees")
    )
    if not t["sessions"]:
        return {}
    return {"training.sessions": t["sessions"], "training.attendees": t["attendees"] or 0}


def _assessments(agency, year):
    titles = list(
        activities.Assessment.objects.filter(agency=agency, year=year)
        .order_by("id")
        .values_list("title", flat=True)
    )
    if not titles:
        return {}
    return {"assessments.total": len(titles), "assessments.titles": "、".join(titles)}


def _new_media(agency, year):
    rows = list(
        activities.NewMediaAccount.objects.filter(agency=agency, year=year)
        .values("platform")
        .annotate(accounts=Count("id"), posts=Sum("posts"))
        .order_by()
    )
    if not rows:
        return {}
    out = {"newmedia.accounts": 0, "newmedia.posts": 0}
    for r in rows:
        out[f"newmedia.{r['platform']}.accounts"] = r["accounts"]
        out[f"newmedia.{r['platform']}.posts"] = r["posts"]
        out["newmedia.accounts"] += r["accounts"]
        out["newmedia.posts"] += r["posts"]
    return out


ACTIVITY_PARTS = {
    "enquiries": _enquiries,
    "proposals": _proposals,
    "briefings": _briefings,
    "trainings": _training,
    "assessments": _assessments,
    "newmedia": _new_media,
}


def activity_figures(agency, year, register):
    """The figures one activity register gives the narrative (keys as in gather)."""
    return ACTIVITY_PARTS[register](agency, year)


def gather(agency, year):
    """{name: int | str} for `agency` and `year` (names: module docstring)."""
    figures = {}
    for part in (
        _proactive,
        _documents,
        _requests,
        _appeals,
        _fees,
        *ACTIVITY_PARTS.values(),
    ):
        figures.update(part(agency, year))
    return figures


def changed(old, new):
    """Names whose value differs between two gatherings (added and removed included)."""
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


__all__ = ["changed", "gather"]


# ---- the Chinese name of each figure (shown beside the sentences that state it) ----------

LABELS = {
    "proactive.total": "本年主动公开信息（条）",
    "proactive.new_media": "经政务新媒体发布（条）",
    "proactive.interpretations": "政策解读（条）",
    "proactive.on_time": "按时公开（条）",
    "proactive.late": "逾期公开（条）",
    "proactive.corrected": "更正（条）",
    "proactive.withdrawn": "撤回（条）",
    "apply.received": "本年新收申请（件）",
    "apply.carried_over": "上年结转申请（件）",
    "apply.concluded": "本年办结（件）",
    "apply.carry_forward": "结转下年度（件）",
    "apply.granted": "予以公开（件）",
    "apply.partial": "部分公开（件）",
    "apply.denied": "不予公开（件）",
    "apply.unavailable": "无法提供（件）",
    "apply.not_processed": "不予处理（件）",
    "apply.other": "其他处理（件）",
    "apply.replied": "作出答复（件）",
    "apply.replied_on_time": "按期答复（件）",
    "apply.late": "逾期答复（件）",
    "appeals.corrected": "复议、诉讼结果纠正（件）",
    "fees.cases": "收取信息处理费（件）",
    "fees.amount": "信息处理费（元）",
    "enquiries.total": "咨询（人次）",
    "proposals.total": "建议提案（件）",
    "proposals.on_time": "按期办结的建议提案（件）",
    "interpretations.total": "政策解读（次）",
    "press.conferences": "新闻发布会（场）",
    "training.sessions": "培训（场次）",
    "training.attendees": "培训（人次）",
    "assessments.total": "考核评估（次）",
    "assessments.titles": "考核评估名称",
    "newmedia.accounts": "政务新媒体账号（个）",
    "newmedia.posts": "政务新媒体发布（条）",
}
_DOCUMENTS = {"normative": "行政规范性文件", "rules": "规章"}
_DOCUMENT_COLUMNS = {"issued": "本年制发", "repealed": "本年废止", "in_force": "现行有效"}
_APPEAL_GROUPS = {"reconsideration": "行政复议", "litigation": "行政诉讼"}
_APPEAL_COLUMNS = {
    "total": "总计",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
}


def label(name):
    """The Chinese name of the figure `name` (its dotted key when none is known)."""
    from gongkai.cases.models import Channel
    from gongkai.publications.models import Category, PublicationChannel

    if name in LABELS:
        return LABELS[name]
    parts = name.split(".")
    head, rest = parts[0], parts[1:]
    choices = {
        ("proactive", "category"): (Category, "主动公开·{}（条）"),
        ("proactive", "channel"): (PublicationChannel, "经{}发布（条）"),
        ("apply", "channel"): (Channel, "申请方式·{}（件）"),
        ("enquiries",): (activities.EnquiryChannel, "{}咨询（人次）"),
    }
    for prefix, (enum, pattern) in choices.items():
        tail = parts[len(prefix) :]
        if tuple(parts[: len(prefix)]) == prefix and len(tail) == 1 and tail[0] in enum.values:
            return pattern.format(enum(tail[0]).label)
    if head == "documents" and len(rest) == 2 and rest[0] in _DOCUMENTS:
        return f"{_DOCUMENTS[rest[0]]}{_DOCUMENT_COLUMNS.get(rest[1], rest[1])}（件）"
    if head == "appeals" and len(rest) == 2 and rest[0] in _APPEAL_GROUPS:
        return f"{_APPEAL_GROUPS[rest[0]]}{_APPEAL_COLUMNS.get(rest[1], rest[1])}（件）"
    if head == "proposals" and len(rest) == 2 and rest[0] in activities.ProposalKind.values:
        kind = activities.ProposalKind(rest[0]).label
        if rest[1] == "on_time":
            return f"按期办结的{kind}（件）"
        if rest[1] in activities.ProposalLevel.values:
            return f"{activities.ProposalLevel(rest[1]).label}{kind}（件）"
        return f"{kind}（件）"
    if head == "newmedia" and len(rest) == 2 and rest[0] in activities.Platform.values:
        unit = "账号（个）" if rest[1] == "accounts" else "发布（条）"
        return f"{activities.Platform(rest[0]).label}{unit}"
    return name
