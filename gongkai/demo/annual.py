"""The demo bureau's annual reports (issue 18), both ends of a report's life:

- last year's report drafted by the system from the records, its 【待补充】 sentences
  written by the 政务公开办, each warning explained, 审核 by the 工作机构负责人, 审批 by
  the 分管领导 and published on the portal on 20 January (before Art. 49's 31 January);
- this year's report in draft, with the checker's findings (what is still to write).

Runs before the portal's demo (which then publishes no report of its own). Running it
again changes nothing.
"""

import datetime as dt

from django.utils import timezone

from gongkai.annual import assembly, drafting, workflow
from gongkai.annual.models import AnnualReport

# What the office writes where the records say nothing (the draft's 【待补充】 sentences).
WRITTEN = "本年度组织政府信息公开业务培训2次，将政务公开工作纳入年度绩效考核，未发生因政府信息公开工作被追责的情形。"


def _written(sentences):
    return [WRITTEN if drafting.PLACEHOLDER in s["text"] else s["text"] for s in sentences or []]


def _publish_last_year(bureau, users, year):
    office = users["clerk"]
    annual = workflow.start(bureau, year, by=office, today=dt.date(year + 1, 1, 5))
    texts = {k: _written(annual.sections.get(k)) for k in ("一", "五", "六")}
    annual = workflow.edit(annual, texts=texts, by=office)
    report = assembly.assemble(annual)
    explanations = {
        assembly.finding_key(
            f
        ): "经核对，差异来自统计口径（正文按收到日期计，表格按办结日期计），数据无误。"
        for f in report["findings"]
        if f["severity"] == "warning"
    }
    if explanations:
        annual = workflow.edit(annual, texts={}, explanations=explanations, by=office)
    annual = workflow.submit(annual, by=office, today=dt.date(year + 1, 1, 8))
    annual = workflow.review(
        annual, by=users["office_head"], decision="agree", text="数据已核对，同意报分管领导审批。"
    )
    at = timezone.make_aware(dt.datetime(year + 1, 1, 15, 16, 0))
    annual = workflow.approve(
        annual, by=users["leader"], decision="agree", text="同意发布。", at=at
    )
    workflow.publish(annual, by=office, at=timezone.make_aware(dt.datetime(year + 1, 1, 20, 9, 30)))


def _draft_this_year(bureau, users, year, today):
    """Drafted, the 【待补充】 sentences written, and one figure typed by hand from an
    older count: the checker's NARRATIVE-MATCH warning is what is left to do."""
    office = users["clerk"]
    annual = workflow.start(bureau, year, by=office, today=today)
    texts = {k: _written(annual.sections.get(k)) for k in ("一", "五", "六")}
    received = assembly.assemble(annual)["requests"]["new"]["total"]
    if received > 1:
        texts["一"].append(f"截至上月底，本年度共收到政府信息公开申请{received - 1}件。")
    workflow.edit(annual, texts=texts, by=office)


def load(bureau, users, today):
    """Returns the number of reports created."""
    made = 0
    last, this = today.year - 1, today.year
    if not AnnualReport.objects.filter(agency=bureau, year=last).exists():
        _publish_last_year(bureau, users, last)
        made += 1
    if not AnnualReport.objects.filter(agency=bureau, year=this).exists():
        _draft_this_year(bureau, users, this, today)
        made += 1
    return made
