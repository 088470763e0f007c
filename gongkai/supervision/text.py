"""Chinese wording shared by notices, e-mails and the command summary (pure)."""

WEEKDAYS = "一二三四五六日"


def cn_date(day):
    """2024-03-12 → 2024年3月12日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_date_weekday(day):
    """2024-03-12 → 2024年3月12日（星期二）."""
    return f"{cn_date(day)}（星期{WEEKDAYS[day.weekday()]}）"


def person(user):
    """A user as staff know them: full name with the login name, or the login name."""
    name = user.get_full_name().strip()
    return f"{name}（{user.get_username()}）" if name else user.get_username()


def department_name(case):
    return case.department.name if case.department_id else "未分办"


def due_soon_message(case, left):
    """逾期预警 text; `left` = working days after today up to the due date (0: due today)."""
    when = {0: "今天到期", None: "即将到期"}.get(left, f"还剩 {left} 个工作日")
    return (
        f"逾期预警：申请 {case.tracking_number}（{department_name(case)}）的答复期限为"
        f"{cn_date(case.due_on)}，{when}。请抓紧办理，按期答复（条例第三十三条）。"
    )


def overdue_message(case, late):
    """超期督办 text; `late` = working days past the due date (None: unknown)."""
    how_late = f"已超期 {late} 个工作日" if late else "已超期"
    return (
        f"超期督办：申请 {case.tracking_number}（{department_name(case)}）的答复期限"
        f"{cn_date(case.due_on)}已过，{how_late}。请立即办理并答复申请人，"
        "同时向政务公开办说明超期原因（条例第三十三条）。"
    )


def supervise_message(case, by, on, note):
    due = f"，答复期限{cn_date(case.due_on)}" if case.due_on else ""
    return (
        f"督办：{person(by)}于{cn_date(on)}督办申请 {case.tracking_number}"
        f"（{department_name(case)}{due}）。督办意见：{note}"
    )


# ---- the `notify` command's summary -----------------------------------------------------


def _case_line(item, what):
    case = item.case
    return (
        f"    {case.tracking_number}  {department_name(case)}  答复期限 {cn_date(case.due_on)}"
        f"  {what}  → 通知 {len(item.recipients)} 人"
    )


def _scan_lines(s):
    lines = ["", f"{s.agency.name}（{s.agency.code}）"]
    if s.calendar_error:
        lines.append(
            f"  ！工作日历无法使用，本机关的逾期预警未发出（超期督办照常）：{s.calendar_error}"
        )
    else:
        lines.append(
            f"  逾期预警（答复期限在今天至{cn_date(s.due_soon_until)}之间）：{len(s.due_soon)} 件"
        )
        for item in s.due_soon:
            left = {0: "今天到期", None: "即将到期"}.get(item.days, f"还剩 {item.days} 个工作日")
            lines.append(_case_line(item, left))
    lines.append(f"  超期：{len(s.overdue)} 件")
    for item in s.overdue:
        late = f"已超期 {item.days} 个工作日" if item.days else "已超期"
        lines.append(_case_line(item, late))
    lines.append(f"  暂停计时（征求意见尚未答复，不作期限提醒）：{len(s.paused)} 件")
    lines += [f"    {c.tracking_number}  {department_name(c)}" for c in s.paused]
    if s.awaiting_correction:
        lines.append(
            f"  待补正（收到补正后重新起算期限，不作期限提醒）：{len(s.awaiting_correction)} 件"
        )
        lines += [f"    {c.tracking_number}  {department_name(c)}" for c in s.awaiting_correction]
    if s.provisional_years:
        years = "、".join(f"{y}年" for y in s.provisional_years)
        lines.append(f"  注意：{years}节假日安排尚未载入，预警范围按暂定日历推算。")
    return lines


def _names(users):
    return "、".join(person(u) for u in users)


def summary_lines(summary):
    """The command's report, in Chinese, one string per line."""
    lines = [f"期限提醒与督办：{cn_date_weekday(summary.day)}"]
    if summary.dry_run:
        lines.append("（试运行：只列出将要发出的通知，没有写入任何通知，也没有发送邮件。）")
    if not summary.scans:
        lines.append("系统中还没有机关，没有需要提醒的申请。")
    for s in summary.scans:
        lines += _scan_lines(s)
    lines.append("")
    verb = "将新建" if summary.dry_run else "新建"
    lines.append(
        f"站内通知：{verb} {summary.created} 条；今天已发过、不再重复 {summary.existing} 条。"
    )
    if summary.dry_run:
        with_mail = [u for u in summary.would_email if u.email]
        without = [u for u in summary.would_email if not u.email]
        lines.append(f"邮件：将发送 {len(with_mail)} 封。")
        if without:
            lines.append(f"没有邮箱、只会收到站内通知：{_names(without)}。")
        return lines
    result = summary.mailed
    lines.append(
        f"邮件：已发送 {len(result.sent)} 封"
        + (f"（{_names(result.sent)}）。" if result.sent else "。")
    )
    if result.no_email:
        lines.append(f"没有邮箱、只收到站内通知（请在账号中补充邮箱）：{_names(result.no_email)}。")
    for user, reason in result.failed:
        lines.append(f"邮件发送失败：{person(user)}（{reason}）。通知已保留，下次运行时重发。")
    return lines
