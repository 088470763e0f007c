"""The Chinese explanation of a reply deadline, step by step, for a clerk to read aloud."""

import datetime as dt

CHANNEL_TEXT = {
    "in_person": "当面提交，提交之日",  # Art. 31（一）
    "registered_mail": "邮寄，签收之日",  # Art. 31（二）
    "letter": "平常信函，确认之日",  # Art. 31（二）
    "online": "网络，双方确认",  # Art. 31（三）
    "fax": "传真，双方确认",  # Art. 31（三）
}
PARTY_TEXT = {"third_party": "第三方", "agency": "其他机关"}
STATE_TEXT = {
    "in_time": "按期办理中",
    "due_soon": "即将到期（3个工作日内）",
    "overdue": "已超期",
    "paused": "征求意见中，暂停计时",
}


def _day(cal, index):
    return dt.date.fromordinal(cal.ordinal_at(index))


def _consultation_step(cal, c, rules, today):
    who = PARTY_TEXT[c.party]
    if c.party not in rules.pausing:
        return f"征求{who}意见（{c.sent} 发出）：2008年条例只扣除征求第三方意见的时间，此项不扣除"
    first = cal.index_after(c.sent.toordinal())
    text = f"征求{who}意见 {c.sent} 发出、"
    if c.answered is not None:
        text += f"{c.answered} 答复"
        last = cal.index_after(c.answered.toordinal()) - 1
    elif today is not None:
        text += f"尚未答复（暂停至今天 {today}）"
        last = cal.index_after(today.toordinal()) - 1
    else:
        text += "尚未答复"
        last = None
    cap = rules.answer_period
    if cap is not None and (last is None or last > first + cap - 1):
        text += (
            f"，{cap}个工作日答复期至 {_day(cal, first + cap - 1)} 届满（第三十二条、第三十四条）"
        )
    return text + "：其间的工作日不计入答复期限（第三十三条第三款）"


def explain(cal, events, rules, result, spans, count_receipt_day):
    """The steps from receipt to due date, as short Chinese sentences."""
    steps = [f"收到申请 {events.received}（{CHANNEL_TEXT[events.channel]}）"]
    if rules.name == "2008":
        steps.append(
            "2019年5月15日前收到，适用2008年条例第二十四条（15个工作日，可延长15个工作日）"
        )
    if events.corrected:
        steps.append(f"补正后的申请 {events.corrected} 收到，答复期限自该日重新起算（第三十条）")
    first = f"第1个工作日 {result.first_day}"
    if count_receipt_day and result.first_day == result.clock_start:
        first += "（收到当日计入）"
    steps.append(first)
    steps.extend(_consultation_step(cal, c, rules, result.today) for c in events.consultations)
    if result.working_days_paused:
        steps.append(f"共有 {result.working_days_paused} 个工作日不计入")
    counted = "计入的工作日" if result.working_days_paused else "工作日"
    steps.append(f"第{result.period}个{counted} {result.original_due}：答复期限（{rules.article}）")
    if result.extension_days:
        when = f"于 {events.extension_approved} " if events.extension_approved else ""
        steps.append(
            f"经政府信息公开工作机构负责人{when}同意延长{result.extension_days}个工作日"
            f" → 第{result.period + result.extension_days}个{counted} {result.due}"
        )
    steps.append(f"应于 {result.due} 前答复")
    if result.today is not None and result.state is None:
        steps.append(f"今天 {result.today} 所在年度的节假日安排未载入，无法计算已用和剩余工作日")
    elif result.today is not None:
        steps.append(_today_step(result))
    if result.provisional:
        years = "、".join(str(y) for y in result.provisional_years)
        steps.append(
            f"注意：{years}年的节假日安排尚未公布，本结果为暂定（按周一至周五扣除法定节日及补假推算），"
            "公布后须重新核对"
        )
    return steps


def _today_step(result):
    state = STATE_TEXT[result.state]
    if result.left < 0:
        return f"今天 {result.today}：{state} {-result.left} 个工作日"
    return f"今天 {result.today}：已用 {result.used} 个工作日，剩余 {result.left} 个工作日，{state}"
