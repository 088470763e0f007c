"""The daily chase: who is warned about what, once a day, on the agency's calendar."""

import io
import socket
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.cases import workflow
from gongkai.cases.tests.factories import make_case
from gongkai.supervision import notify, text
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.supervision.tests.conftest import D, staff
from gongkai.workdays.models import ExceptionalDay

pytestmark = pytest.mark.django_db

FRIDAY = D("2024-03-22")  # the window ends on Wed 2024-03-27 (3rd working day after)


def _assigned(w, received, department=None, **kw):
    case = make_case(w.agency, w.registrar, submitted_on=D(received), **kw)
    return workflow.assign(case, by=w.office, department=department or w.dept, on=D(received))


@pytest.fixture
def cases(world):
    """Cases of one agency as they stand on Friday 2024-03-22 (see each line)."""
    w = world
    c = {
        "soon": _assigned(w, "2024-02-27"),  # due Tue 03-26: 2 working days, over a weekend
        "edge": _assigned(w, "2024-02-28", w.other_dept),  # due Wed 03-27: the window's end
        "later": _assigned(w, "2024-02-29"),  # due Thu 03-28: outside the window
        "late": _assigned(w, "2024-02-19"),  # due Mon 03-18: 4 working days overdue
        "loose": make_case(w.agency, w.registrar, submitted_on=D("2024-02-26")),  # due 03-25
        "paused": _assigned(w, "2024-02-26"),
        "correction": make_case(w.agency, w.registrar, submitted_on=D("2024-02-26")),
    }
    workflow.consult(
        c["paused"], by=w.handler, party="third_party", addressee="某公司", on=D("2024-03-01")
    )
    workflow.request_correction(
        c["correction"],
        by=w.office,
        on=D("2024-02-27"),
        items="请写明所需信息的名称",
        correction_due_on=D("2024-03-29"),
    )
    done = _assigned(w, "2024-02-19")  # overdue date, but concluded: never chased
    workflow.withdraw(done, by=w.office, on=D("2024-03-01"))
    return c


def _who(case, kind):
    rows = Notice.objects.filter(case=case, kind=kind).values_list("recipient__username", flat=True)
    return sorted(rows)


def test_due_soon_warns_department_handlers_and_office(world, cases):
    assert cases["soon"].due_on == D("2024-03-26")
    notify.run(FRIDAY)
    assert _who(cases["soon"], NoticeKind.DUE_SOON) == ["handler", "handler2", "office"]
    assert _who(cases["edge"], NoticeKind.DUE_SOON) == ["office", "other_handler"]
    notice = Notice.objects.get(case=cases["soon"], recipient=world.handler)
    assert notice.created_on == FRIDAY and notice.due_on == D("2024-03-26")
    assert "还剩 2 个工作日" in notice.message and "2024年3月26日" in notice.message


def test_case_outside_the_window_is_not_warned(cases):
    notify.run(FRIDAY)
    assert not Notice.objects.filter(case=cases["later"]).exists()


def test_overdue_case_gets_supervision_notice_to_handlers_office_and_head(cases):
    notify.run(FRIDAY)
    assert _who(cases["late"], NoticeKind.OVERDUE) == [
        "handler",
        "handler2",
        "office",
        "office_head",
    ]
    assert not Notice.objects.filter(case=cases["late"], kind=NoticeKind.DUE_SOON).exists()
    message = Notice.objects.filter(case=cases["late"]).first().message
    assert message.startswith("超期督办") and "已超期 4 个工作日" in message


def test_unassigned_case_warns_the_office(cases):
    notify.run(FRIDAY)
    assert _who(cases["loose"], NoticeKind.DUE_SOON) == ["office"]


def test_paused_and_correction_cases_are_listed_not_warned(cases):
    summary = notify.run(FRIDAY)
    assert not Notice.objects.filter(case__in=[cases["paused"], cases["correction"]]).exists()
    scan = summary.scans[0]
    assert [c.pk for c in scan.paused] == [cases["paused"].pk]
    assert [c.pk for c in scan.awaiting_correction] == [cases["correction"].pk]
    output = "\n".join(text.summary_lines(summary))
    assert "暂停计时（征求意见尚未答复，不作期限提醒）：1 件" in output
    assert cases["paused"].tracking_number in output


def test_answered_consultation_no_longer_pauses(world, cases):
    consultation = cases["paused"].consultations.get()
    workflow.record_consultation_answer(consultation, by=world.handler, on=D("2024-03-05"))
    summary = notify.run(FRIDAY)
    assert summary.scans[0].paused == []


def test_running_twice_a_day_notifies_nobody_twice(cases):
    first = notify.run(FRIDAY)
    count, sent = Notice.objects.count(), len(mail.outbox)
    second = notify.run(FRIDAY)
    assert first.created == count > 0
    assert (second.created, second.existing) == (0, count)
    assert Notice.objects.count() == count
    assert len(mail.outbox) == sent
    # The next day is a new day: overdue cases are chased again.
    notify.run(D("2024-03-25"))
    assert Notice.objects.filter(case=cases["late"], created_on=D("2024-03-25")).count() == 4


def test_one_email_per_recipient_and_users_without_address_are_named(world, cases):
    summary = notify.run(FRIDAY)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == len(by_address)  # one message per recipient
    assert sorted(by_address) == [
        "handler@example.cn",
        "office@example.cn",
        "office_head@example.cn",
        "other@example.cn",
    ]
    office = by_address["office@example.cn"]
    for key in ("soon", "edge", "late", "loose"):
        assert cases[key].tracking_number in office.body
    assert office.subject.startswith("【政府信息公开】2024年3月22日")
    assert cases["late"].tracking_number not in by_address["other@example.cn"].body
    assert [u.username for u in summary.mailed.no_email] == ["handler2"]
    output = "\n".join(text.summary_lines(summary))
    assert "没有邮箱" in output and "handler2" in output
    assert not Notice.objects.filter(recipient=world.office, emailed_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=world.handler_no_mail, emailed_at__isnull=True).exists()


def test_dry_run_writes_and_sends_nothing(cases):
    summary = notify.run(FRIDAY, dry_run=True)
    assert summary.created > 0
    assert Notice.objects.count() == 0
    assert mail.outbox == []
    output = "\n".join(text.summary_lines(summary))
    assert "试运行" in output and "将新建" in output


def test_agency_local_day_off_widens_the_window(calendar_loaded):
    """A local closure (ExceptionalDay with scope = agency code) moves the 3rd working day."""
    found = []
    for code in ("local", "plain"):
        agency = make_agency(code=code)
        w = _world(agency)
        case = _assigned(w, "2024-02-29")  # due Thu 03-28 on the national calendar
        found.append((agency, case))
    (local, local_case), (plain, plain_case) = found
    ExceptionalDay.objects.create(
        date=D("2024-03-25"),
        kind="holiday",
        year=2024,
        name="本地放假",
        scope="local",
        source="测试",
    )
    summary = notify.run(FRIDAY)
    assert Notice.objects.filter(case=local_case, kind=NoticeKind.DUE_SOON).exists()
    assert not Notice.objects.filter(case=plain_case).exists()
    until = {s.agency.code: s.due_soon_until for s in summary.scans}
    assert until == {"local": D("2024-03-28"), "plain": D("2024-03-27")}


def _world(agency):
    dept = make_department(agency, name="治安支队")
    other = make_department(agency, name="户政支队")
    return SimpleNamespace(
        agency=agency, dept=dept, other_dept=other, **staff(agency, dept, other, agency.code)
    )


def test_agency_option_limits_the_run(world, cases):
    other = make_agency(code="elsewhere")
    make_user(other, "office", username="elsewhere-office")
    summary = notify.run(FRIDAY, agency_code="elsewhere")
    assert [s.agency.code for s in summary.scans] == ["elsewhere"]
    assert Notice.objects.count() == 0


def test_unknown_agency_is_refused_in_chinese(world):
    with pytest.raises(notify.NotifyError, match="机关代码“nope”不存在"):
        notify.run(FRIDAY, agency_code="nope")


def test_missing_calendar_is_reported_and_overdue_still_chased(cases):
    ExceptionalDay.objects.all().delete()
    summary = notify.run(FRIDAY)
    scan = summary.scans[0]
    assert "工作日历为空" in scan.calendar_error
    assert scan.due_soon == []
    assert _who(cases["late"], NoticeKind.OVERDUE)
    output = "\n".join(text.summary_lines(summary))
    assert "工作日历无法使用" in output


def test_provisional_year_is_flagged(world):
    """Late December 2026: the window runs into 2027, whose schedule is not loaded."""
    summary = notify.run(D("2026-12-30"))
    assert summary.scans[0].provisional_years == (2027,)
    assert "2027年节假日安排尚未载入" in "\n".join(text.summary_lines(summary))


# ---- the command -------------------------------------------------------------------------


def test_command_prints_chinese_summary(cases):
    out, err = io.StringIO(), io.StringIO()
    call_command("notify", "--date", "2024-03-22", stdout=out, stderr=err)
    text = out.getvalue()
    assert "期限提醒与督办：2024年3月22日（星期五）" in text
    assert "逾期预警（答复期限在今天至2024年3月27日之间）：3 件" in text
    assert "超期：1 件" in text and "完成。" in text
    assert Notice.objects.exists() and mail.outbox


def test_command_dry_run(cases):
    out = io.StringIO()
    call_command("notify", "--date", "2024-03-22", "--dry-run", stdout=out)
    assert "试运行" in out.getvalue()
    assert not Notice.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("value", ["2024-13-01", "昨天", "2024/03/22", "1999-01-01"])
def test_command_bad_date_exits_2(world, value):
    with pytest.raises(CommandError) as raised:
        call_command("notify", "--date", value, stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert "--date" in str(raised.value)


def test_console_script_exit_code_for_bad_date(world, capsys):
    from gongkai import cli

    with pytest.raises(SystemExit) as raised:
        cli.main(["notify", "--date", "不是日期"])
    assert raised.value.code == 2
    assert "不是有效日期" in capsys.readouterr().err


def test_command_unknown_agency_exits_2(world):
    with pytest.raises(CommandError) as raised:
        call_command("notify", "--date", "2024-03-22", "--agency", "nope", stdout=io.StringIO())
    assert raised.value.returncode == 2


def test_command_missing_calendar_warns_without_crashing(cases):
    ExceptionalDay.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("notify", "--date", "2024-03-22", stdout=out, stderr=err)
    assert "工作日历为空" in err.getvalue()
    assert "超期：1 件" in out.getvalue()


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_server_down_keeps_notices_for_the_next_run(cases, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    summary = notify.run(FRIDAY)
    assert summary.created > 0 and summary.mailed.sent == []
    assert {u.username for u, _reason in summary.mailed.failed} == {
        "handler",
        "office",
        "office_head",
        "other_handler",
    }
    assert "邮件发送失败" in "\n".join(text.summary_lines(summary))
    assert not Notice.objects.exclude(emailed_at=None).exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    again = notify.run(FRIDAY)  # same day: no new notices, the unsent ones are sent now
    assert again.created == 0 and len(again.mailed.sent) == 4 and len(mail.outbox) == 4


def test_day_before_the_loaded_calendar_is_explained(world):
    """The tests load 2022–2026: a run for 2021 cannot find the 3rd working day."""
    summary = notify.run(D("2021-06-01"))
    assert summary.scans[0].calendar_error.startswith("2021年的节假日安排尚未载入")
    assert "import-notice" in summary.scans[0].calendar_error
