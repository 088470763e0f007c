"""The step forms on the case page: who sees and may take each step, bad input,
concurrent edits. Nothing refused may write anything (no CaseEvent, no change)."""

import datetime as dt
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.cases import views, workflow
from gongkai.cases.models import Case, CaseEvent, EventKind, Outcome, Status
from gongkai.cases.tests.factories import make_case, run_to

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
TODAY = D("2024-03-04")
ROLES = [*Role.values, "other_handler"]


@pytest.fixture
def pinned(monkeypatch):
    def pin(day):
        monkeypatch.setattr(views, "today", lambda: day)

    pin(TODAY)
    return pin


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def act_url(case, action):
    return reverse("cases:act", args=[case.tracking_number, action])


def detail_url(case):
    return reverse("cases:detail", args=[case.tracking_number])


def steps_of(response):
    """The step keys the case page offers (consultation answers included)."""
    keys = {s.action.key for s in response.context["steps"]}
    if any(form for _c, form in response.context["consultations"]):
        keys.add("record_consultation_answer")
    return keys


def step_events(case):
    return list(
        CaseEvent.objects.filter(case_id=case.pk)
        .exclude(kind=EventKind.VIEW_APPLICANT)
        .values_list("kind", "actor_id")
    )


def post(client, case, action, data, **kw):
    status = Case.objects.get(pk=case.pk).status
    return client.post(act_url(case, action), {"seen_status": status, **data}, **kw)


# ---- states: each returns a case in the status the step starts from -------------------


def registered(w):
    return make_case(w.agency, w.registrar)


def awaiting(w):
    return make_case(w.agency, w.registrar, channel="letter", confirmed_on=None)


def assigned(w):
    return run_to(registered(w), w, "assigned")


def correction_requested(w, due="2024-03-15"):
    return workflow.request_correction(
        registered(w), by=w.office, on=TODAY, items="请写明信息名称", correction_due_on=D(due)
    )


def consulting(w):
    return workflow.consult(
        assigned(w), by=w.office, party="third_party", addressee="某公司", on=TODAY
    )


def fee_notified(w):
    return workflow.notify_fee(assigned(w), by=w.office, on=TODAY, amount="100", basis="按件计收")


def reviewed(outcome="granted"):
    return lambda w: run_to(registered(w), w, "reviewed", outcome=outcome)


def drafted(w):
    return run_to(registered(w), w, "drafted")


def replied(w):
    return run_to(registered(w), w, "replied")


reviewed_granted = reviewed()


def mailed(w):
    return workflow.deliver(replied(w), by=w.office, method="mail", on=TODAY, ems="EA123456789CN")


def proposed(kind):
    def setup(w):
        if kind == "correction":
            return workflow.propose_correction(
                assigned(w), by=w.handler, on=TODAY, items="请写明年份", reason="内容不明确"
            )
        return workflow.propose_extension(assigned(w), by=w.handler, on=TODAY, reason="需调档")

    return setup


# action key, setup, valid form data, roles expected to succeed, pinned today
CASES = {
    "confirm": (awaiting, {"on": "2024-03-04"}, {"registrar", "office"}, TODAY),
    "request_correction": (
        registered,
        {"on": "2024-03-04", "items": "请写明所需信息的名称", "correction_due_on": "2024-03-25"},
        {"registrar", "office"},
        TODAY,
    ),
    "record_correction": (
        correction_requested,
        {"on": "2024-03-04"},
        {"registrar", "office"},
        TODAY,
    ),
    "lapse_correction": (correction_requested, {}, {"office"}, D("2024-03-20")),
    "assign": (registered, "dept", {"office"}, TODAY),
    "reassign": (assigned, "other_dept", {"office"}, TODAY),
    "consult": (
        assigned,
        {"party": "agency", "addressee": "市档案馆", "on": "2024-03-04"},
        {"office", "handler"},
        TODAY,
    ),
    "record_consultation_answer": (
        consulting,
        {"on": "2024-03-04", "answer": "同意公开"},
        {"office", "handler"},
        TODAY,
    ),
    "draft_decision": (
        assigned,
        {
            "outcome": "granted",
            "legal_basis": "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
        },
        {"office", "handler"},
        TODAY,
    ),
    "review_legal": (
        lambda w: run_to(registered(w), w, "drafted"),
        {"decision": "pass"},
        {"legal_reviewer"},
        TODAY,
    ),
    "review_secrecy": (
        lambda w: run_to(registered(w), w, "drafted"),
        {"decision": "pass"},
        {"secrecy_reviewer"},
        TODAY,
    ),
    "approve": (reviewed(), {}, {"office_head", "leader"}, TODAY),
    "endorse": (reviewed("denied.third_party"), {}, {"office_head"}, TODAY),
    "return": (reviewed(), {"comments": "请补充理由"}, {"office_head", "leader"}, TODAY),
    "approve_extension": (
        assigned,
        {"reason": "需要调取档案", "notified_on": "2024-03-04"},
        {"office_head"},
        TODAY,
    ),
    "notify_fee": (
        assigned,
        {"on": "2024-03-04", "amount": "100.50", "basis": "按件计收"},
        {"office"},
        TODAY,
    ),
    "record_fee": (fee_notified, {"on": "2024-03-04"}, {"registrar", "office"}, TODAY),
    "lapse_fee": (fee_notified, {}, {"office"}, D("2024-04-10")),
    "reply": (
        lambda w: run_to(registered(w), w, "approved"),
        {"on": "2024-03-04"},
        {"registrar", "office"},
        TODAY,
    ),
    "deliver": (
        lambda w: run_to(registered(w), w, "replied"),
        {"method": "mail", "on": "2024-03-04", "ems": "EA123456789CN"},
        {"registrar", "office"},
        TODAY,
    ),
    "record_signature": (mailed, {"signed_on": "2024-03-04"}, {"registrar", "office"}, TODAY),
    "propose_correction": (
        assigned,
        {"items": "请写明所需信息的年份", "reason": "申请内容不明确"},
        {"handler"},
        TODAY,
    ),
    "propose_extension": (assigned, {"reason": "需要调取档案"}, {"handler"}, TODAY),
    "hand_back": (assigned, {"reason": "不属于本部门职责"}, {"handler"}, TODAY),
    "approve_correction": (
        proposed("correction"),
        {"on": "2024-03-04", "items": "请写明年份", "correction_due_on": "2024-03-25"},
        {"office_head"},
        TODAY,
    ),
    "decline_proposal": (proposed("extension"), {"comments": "期限充足"}, {"office_head"}, TODAY),
    "withdraw": (
        registered,
        {"on": "2024-03-04", "reason": "申请人电话撤回"},
        {"registrar", "office"},
        TODAY,
    ),
    "archive": (lambda w: run_to(registered(w), w, "delivered"), {}, {"office"}, TODAY),
}
STEP_OF = {"review_legal": EventKind.REVIEW, "review_secrecy": EventKind.REVIEW}


def test_every_action_is_covered():
    assert set(CASES) == set(views.ACTIONS)


@pytest.mark.parametrize("action", sorted(CASES))
def test_each_step_is_offered_to_and_taken_by_exactly_its_roles(world, pinned, action):
    setup, data, allowed, day = CASES[action]
    pinned(day)
    kind = STEP_OF.get(action, action)
    case = None
    for role in ROLES:
        case = case or setup(world)  # a refused step changes nothing: the case is reused
        form = dict(data) if isinstance(data, dict) else {"department": getattr(world, data).pk}
        if action == "record_consultation_answer":
            form["consultation"] = case.consultations.get().pk
        before = step_events(case)
        client = client_for(getattr(world, role))
        page = client.get(detail_url(case))
        if page.status_code == 404:  # a handler never reaches another department's case
            assert role in ("handler", "other_handler")
            assert post(client, case, action, form).status_code == 404
            assert step_events(case) == before
            continue
        if page.status_code == 403:  # an 信息员 works on 主动公开 only (least privilege)
            assert role == "info_officer"
            assert post(client, case, action, form).status_code == 403
            assert step_events(case) == before
            continue
        assert (action in steps_of(page)) == (role in allowed), (action, role)
        response = post(client, case, action, form)
        assert response.status_code == 302, (action, role, response.content.decode()[-2000:])
        said = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
        after = step_events(case)
        if role in allowed:
            assert after[len(before) :] == [(kind, getattr(world, role).pk)], (action, role)
            assert [tag for tag, _ in said] == ["success"], said
            case = None
        else:
            assert after == before, (action, role)
            assert len(said) == 1 and said[0][0] == "error" and "权限" in said[0][1], said


def test_handlers_reach_only_their_department(world, pinned):
    own = assigned(world)
    loose = registered(world)
    data = {"party": "agency", "addressee": "市档案馆", "on": "2024-03-04"}
    assert post(client_for(world.other_handler), own, "consult", data).status_code == 404
    assert (
        post(client_for(world.handler), loose, "withdraw", {"on": "2024-03-04"}).status_code == 404
    )
    assert step_events(own) == [("register", world.registrar.pk), ("assign", world.office.pk)]


def test_a_denial_is_offered_to_the_office_head_with_a_reason_but_only_the_leader_approves(
    world, pinned
):
    case = reviewed("denied.third_party")(world)
    head = client_for(world.office_head)
    page = head.get(detail_url(case)).content.decode()
    assert "须经分管领导审批" in page
    response = post(head, case, "approve", {}, follow=True)
    assert "不予公开的答复须经分管领导审批，您没有该权限" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.REVIEWED
    for clerk in (world.registrar, world.office):
        response = post(client_for(clerk), case, "approve", {}, follow=True)
        assert "权限" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.REVIEWED
    post(client_for(world.leader), case, "approve", {})
    assert Case.objects.get(pk=case.pk).status == Status.APPROVED


def test_reviewers_cannot_reply_and_handlers_cannot_archive(world, pinned):
    case = run_to(registered(world), world, "approved")
    for reviewer in (world.legal_reviewer, world.secrecy_reviewer):
        response = post(client_for(reviewer), case, "reply", {"on": "2024-03-04"}, follow=True)
        assert "您没有“答复”的权限" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.APPROVED


def test_the_whole_path_through_the_views(world, pinned):
    """One request from 待确认 to 归档, every step posted by its role."""
    case = awaiting(world)
    w = world
    steps = [
        (w.registrar, "confirm", {"on": "2024-03-04"}),
        (w.registrar, "request_correction", {"on": "2024-03-04", "items": "写明名称",
                                             "correction_due_on": "2024-03-20"}),
        (w.registrar, "record_correction", {"on": "2024-03-04"}),
        (w.office, "assign", {"department": w.dept.pk}),
        (w.handler, "consult", {"party": "third_party", "addressee": "某公司", "on": "2024-03-04"}),
        (w.handler, "record_consultation_answer", {"on": "2024-03-04"}),
        (w.handler, "draft_decision", {"outcome": "partial", "legal_basis": "条例第三十七条", "reasons": "含个人信息"}),
        (w.legal_reviewer, "review_legal", {"decision": "return", "comments": "理由不充分"}),
        (w.handler, "draft_decision", {"outcome": "partial", "legal_basis": "条例第三十七条，理由", "reasons": "含个人信息"}),
        (w.legal_reviewer, "review_legal", {"decision": "pass"}),
        (w.secrecy_reviewer, "review_secrecy", {"decision": "pass"}),
        (w.office_head, "return", {"comments": "请核对第三方意见"}),
        (w.handler, "draft_decision", {"outcome": "partial", "legal_basis": "条例第三十七条", "reasons": "含个人信息"}),
        (w.legal_reviewer, "review_legal", {"decision": "pass"}),
        (w.secrecy_reviewer, "review_secrecy", {"decision": "pass"}),
        (w.office_head, "approve", {}),
        (w.office, "reply", {"on": "2024-03-04"}),
        (w.office, "deliver", {"method": "electronic", "on": "2024-03-04"}),
        (w.office, "archive", {}),
    ]  # fmt: skip
    for user, action, data in steps:
        if action == "record_consultation_answer":
            data = {**data, "consultation": case.consultations.get().pk}
        response = post(client_for(user), case, action, data, follow=True)
        assert "message-success" in response.content.decode(), (action, response.content.decode())
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.outcome, case.closed_on) == (Status.ARCHIVED, "partial", TODAY)
    assert len(step_events(case)) == len(steps) + 1  # + 登记


# ---- bad input ------------------------------------------------------------------------


BAD_INPUT = [  # setup, action, form data, the message shown
    (registered, "request_correction", {"on": "2024-03-04", "correction_due_on": "2024-03-20"},
     "请填写需要补正的事项"),
    (registered, "request_correction",
     {"on": "2024-03-04", "items": "x", "correction_due_on": "2024-03-04"}, "应晚于告知日期"),
    (registered, "request_correction",
     {"on": "2024-03-04", "items": "x", "correction_due_on": "2027-03-04"}, "超过一年"),
    (awaiting, "confirm", {"on": "2024-02-30"}, "日期无效"),
    (awaiting, "confirm", {"on": "04/03/2024"}, "日期无效"),
    (awaiting, "confirm", {"on": ""}, "请填写确认日期"),
    (awaiting, "confirm", {"on": "2024-03-05"}, "晚于今天"),
    (awaiting, "confirm", {"on": "2024-02-29"}, "不能早于提交日期"),
    (awaiting, "confirm", {"on": "2001-01-01"}, "施行日"),
    (correction_requested, "record_correction", {"on": "2024-02-01"}, "不能早于收到申请日期"),
    (assigned, "consult", {"party": "friend", "addressee": "某公司", "on": "2024-03-04"},
     "“征求对象类型”的值无效"),
    (assigned, "consult", {"party": "agency", "addressee": "", "on": "2024-03-04"},
     "请填写征求对象"),
    (assigned, "draft_decision", {"outcome": "", "legal_basis": "x"}, "请选择办理结果"),
    (assigned, "draft_decision", {"outcome": "other.no_fee", "legal_basis": "x"},
     "值无效"),
    (assigned, "draft_decision",
     {"outcome": "denied.state_secret",
      "legal_basis": "《中华人民共和国政府信息公开条例》第三十六条第（二）项"},
     "与所选办理结果不符"),
    (drafted, "review_legal",
     {"decision": "return", "comments": " "}, "请填写退回意见"),
    (drafted, "review_legal", {}, "审查通过"),
    (reviewed_granted, "return", {"comments": ""}, "请填写退回意见"),
    (assigned, "approve_extension", {"reason": ""}, "请填写延期理由"),
    (assigned, "approve_extension", {"reason": "x", "notified_on": "2024-03-09"}, "晚于今天"),
    (assigned, "notify_fee", {"on": "2024-03-04", "amount": "abc", "basis": "x"},
     "收费金额应为数字"),
    (assigned, "notify_fee", {"on": "2024-03-04", "amount": "0", "basis": "x"}, "应大于0元"),
    (assigned, "notify_fee", {"on": "2024-03-04", "amount": "-5", "basis": "x"}, "应大于0元"),
    (assigned, "notify_fee", {"on": "2024-03-04", "amount": "100000000", "basis": "x"},
     "小于1亿元"),
    (assigned, "notify_fee", {"on": "2024-03-04", "amount": "1.005", "basis": "x"}, "两位小数"),
    (assigned, "notify_fee", {"on": "2024-03-04", "amount": "NaN", "basis": "x"},
     "收费金额应为数字"),
    (replied, "deliver", {"on": "2024-03-04"},
     "请选择送达方式"),
    (replied, "deliver",
     {"method": "pigeon", "on": "2024-03-04"}, "“送达方式”的值无效"),
    (registered, "withdraw", {"on": "2099-01-01"}, "晚于今天"),
]  # fmt: skip


def test_bad_input_is_explained_and_nothing_is_written(world, pinned):
    """Each bad form comes back (400) with its Chinese message; the case is unchanged,
    so one case per starting state serves every row."""
    made = {}
    users = {"review_legal": world.legal_reviewer, "return": world.office_head,
             "approve_extension": world.office_head}  # fmt: skip
    for setup, action, data, message in BAD_INPUT:
        case = made.get(setup) or made.setdefault(setup, setup(world))
        before = step_events(case), Case.objects.get(pk=case.pk).status
        response = post(client_for(users.get(action, world.office)), case, action, data)
        assert response.status_code == 400, (action, data)
        assert message in response.content.decode(), (action, data, message)
        assert (step_events(case), Case.objects.get(pk=case.pk).status) == before


def test_workflow_refusals_keep_the_case_unchanged(world, pinned):
    """The form is fine but the workflow refuses (its message is shown)."""
    case = assigned(world)
    head = client_for(world.office_head)
    # Day 1 of an extension after the original deadline: Art. 33 refuses it.
    pinned(D("2024-04-15"))
    response = post(head, case, "approve_extension", {"reason": "需要调取档案"}, follow=True)
    assert "原答复期限" in response.content.decode() and "不能再延期" in response.content.decode()
    pinned(TODAY)
    lapsed = correction_requested(world)
    response = post(client_for(world.office), lapsed, "lapse_correction", {}, follow=True)
    assert "尚未届满" in response.content.decode()
    assert step_events(case)[-1][0] == "assign"
    assert Case.objects.get(pk=lapsed.pk).status == Status.CORRECTION_REQUESTED


def test_a_stale_page_is_refused_and_changes_nothing(world, pinned):
    case = run_to(registered(world), world, "drafted")
    before = step_events(case)
    # The legal reviewer's page was shown while the case was 承办中 (before the draft).
    response = client_for(world.legal_reviewer).post(
        act_url(case, "review_legal"), {"seen_status": "assigned", "decision": "pass"}, follow=True
    )
    text = response.content.decode()
    assert "该申请已被他人处理（当前状态：待审查），请刷新后重试" in text
    assert step_events(case) == before
    assert not Case.objects.get(pk=case.pk).legal_review_passed


def test_a_missing_seen_status_is_refused(world, pinned):
    case = registered(world)
    response = client_for(world.office).post(act_url(case, "withdraw"), {"on": "2024-03-04"})
    assert response.status_code == 400
    assert "页面已过期" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_the_status_check_and_the_step_happen_under_one_lock(world, pinned, monkeypatch):
    """The case moves on after the view's first look but before the locked step: the
    locked re-check refuses (the workflow's own status check is the last guard)."""
    case = run_to(registered(world), world, "reviewed")
    original = views._case_for

    def racing(request, tracking_number):
        found = original(request, tracking_number)
        if request.method == "POST":  # the leader acts between the page's look and the step
            workflow.return_for_revision(case, by=world.leader, on=TODAY, comments="另有意见")
        return found

    monkeypatch.setattr(views, "_case_for", racing)
    response = post(client_for(world.office_head), case, "approve", {}, follow=True)
    assert "该申请已被他人处理（当前状态：承办中）" in response.content.decode()
    assert [k for k, _ in step_events(case)][-1] == "return"
    assert Case.objects.get(pk=case.pk).approved_on is None


def test_a_step_the_status_does_not_allow_is_refused_by_the_workflow(world, pinned):
    case = assigned(world)
    response = post(client_for(world.legal_reviewer), case, "review_legal", {"decision": "pass"},
                    follow=True)  # fmt: skip
    assert "当前状态为“承办中”，不能进行“审查”" in response.content.decode()
    assert step_events(case)[-1][0] == "assign"


def test_a_consultation_of_another_case_is_refused(world, pinned):
    mine, theirs = consulting(world), consulting(world)
    data = {"on": "2024-03-04", "consultation": theirs.consultations.get().pk}
    response = post(client_for(world.office), mine, "record_consultation_answer", data)
    assert response.status_code == 400
    assert "不属于本申请" in response.content.decode()
    assert theirs.consultations.get().answered_on is None


def test_unknown_steps_get_and_csrf(world, pinned):
    case = registered(world)
    client = client_for(world.office)
    assert post(client, case, "nonsense", {}).status_code == 404
    assert client.get(act_url(case, "withdraw")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.office)
    response = strict.post(
        act_url(case, "withdraw"), {"seen_status": "registered", "on": "2024-03-04"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_anonymous_and_outsiders(world, pinned):
    from django.contrib.auth.models import User

    from gongkai.agencies.tests.factories import make_agency, make_user

    case = registered(world)
    response = Client().post(act_url(case, "withdraw"), {})
    assert response["Location"].startswith(reverse("login"))
    outsider = client_for(User.objects.create_user("outsider"))
    assert post(outsider, case, "withdraw", {"on": "2024-03-04"}).status_code == 403
    stranger = client_for(make_user(make_agency(), Role.OFFICE))
    assert post(stranger, case, "withdraw", {"on": "2024-03-04"}).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


# ---- repeats ----------------------------------------------------------------------------


def test_a_repeat_of_an_answered_request_can_be_drafted_as_duplicate(world, pinned):
    pinned(D("2024-06-03"))
    first = run_to(registered(world), world, "replied", on=D("2024-03-04"))
    again = make_case(
        world.agency,
        world.registrar,
        submitted_on=D("2024-06-03"),
        content="申请公开本局2023年度治安案件统计数据。",
    )
    again = workflow.assign(again, by=world.office, department=world.dept, on=D("2024-06-03"))
    office = client_for(world.office)
    page = office.get(detail_url(again)).content.decode()
    assert "可能的重复申请" in page and first.tracking_number in page
    assert "?draft=duplicate" in page
    form = office.get(detail_url(again), {"draft": "duplicate"}).context["steps"]
    draft = next(s.form for s in form if s.action.key == "draft_decision")
    assert draft["outcome"].value() == Outcome.NOT_PROCESSED_DUPLICATE
    basis = draft["legal_basis"].value()
    assert first.tracking_number in basis and "第三十六条第（六）项" in basis
    assert first.tracking_number in draft["reasons"].value()
    post(office, again, "draft_decision", {"outcome": Outcome.NOT_PROCESSED_DUPLICATE,
                                           "legal_basis": basis,
                                           "reasons": draft["reasons"].value()})  # fmt: skip
    assert Case.objects.get(pk=again.pk).outcome == Outcome.NOT_PROCESSED_DUPLICATE
    # Someone else's similar request is not a repeat.
    other = make_case(world.agency, world.registrar, submitted_on=D("2024-06-03"),
                      applicant_name="李四", applicant_id_document="", applicant_contact="")  # fmt: skip
    assert "可能的重复申请" not in office.get(detail_url(other)).content.decode()


# ---- concurrency (PostgreSQL row locks) --------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的行锁")
def test_two_people_posting_the_same_step_at_once_leave_one_winner(world, pinned):
    case = run_to(registered(world), world, "reviewed")
    barrier = threading.Barrier(2)
    texts = []

    def act(user):
        try:
            client = client_for(user)
            barrier.wait()
            response = post(client, case, "approve", {}, follow=True)
            texts.append(response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in (world.office_head, world.leader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum("message-success" in t for t in texts) == 1
    assert sum("该申请已被他人处理" in t or "不能进行" in t for t in texts) == 1
    assert CaseEvent.objects.filter(case=case, kind="approve").count() == 1
