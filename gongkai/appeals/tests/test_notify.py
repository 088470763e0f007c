import datetime as dt

import pytest
from django.core.management import call_command

from gongkai.appeals import workflow
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.supervision.models import Notice

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def test_notify_warns_the_legal_office_of_the_answer_deadline(world, capsys):
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-09-02"))
    case = run_to(case, world, "delivered", outcome="denied.state_secret", on=D("2024-09-10"))
    workflow.record(
        case, by=world.legal_reviewer, on=D("2024-10-09"), kind="reconsideration",
        body="示范市人民政府", filed_on=D("2024-09-20"), papers_received_on=D("2024-09-27"),
    )  # fmt: skip
    # due 16 Oct 2024 (10 working days over 国庆); on Mon 14 Oct it is 2 working days away
    call_command("notify", date="2024-10-14", agency=world.agency.code)
    out = capsys.readouterr().out
    assert "向复议机关提交书面答复及证据的期限为2024年10月16日（行政复议法第四十八条）" in out
    notice = Notice.objects.get(recipient=world.legal_reviewer)
    assert (notice.kind, notice.due_on, notice.case) == ("due_soon", D("2024-10-16"), case)
    call_command("notify", date="2024-10-14", agency=world.agency.code)  # nothing twice
    assert Notice.objects.filter(recipient=world.legal_reviewer).count() == 1
    call_command("notify", date="2024-10-17", agency=world.agency.code)
    assert "已超期" in capsys.readouterr().out
    assert Notice.objects.get(recipient=world.legal_reviewer, kind="overdue").due_on == D(
        "2024-10-16"
    )
