"""Flood protection, CSRF, injection, uploads: refused in Chinese, nothing half-written."""

import re

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client

from gongkai.attachments.models import CaseAttachment
from gongkai.cases.models import Case, CaseEvent
from gongkai.intake import challenge, ratelimit
from gongkai.intake.models import SubmissionToken

from .conftest import PNG, person_data, png_file

pytestmark = pytest.mark.django_db
APPLY = "/xxgk/apply/"
XSS = '<script>alert("x")</script>'
XSS_ATTR = '"><img src=x onerror=alert(1)>'


def nothing_stored(media_root):
    files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    return (
        Case.objects.count() == 0
        and CaseAttachment.objects.count() == 0
        and SubmissionToken.objects.count() == 0
        and CaseEvent.objects.count() == 0
        and files == []
    )


# ---- injection -------------------------------------------------------------------------


def test_script_in_every_text_field_is_stored_as_text_and_escaped(client, world):
    data = person_data(
        person_name=XSS,
        address=XSS + XSS_ATTR,
        content=f"{XSS}\n{XSS_ATTR}",
        email="",
    )
    assert client.post(APPLY, data).status_code == 303
    case = Case.objects.get()
    assert case.applicant_name == XSS
    assert case.content == f"{XSS}\n{XSS_ATTR}"

    receipt = client.get("/xxgk/apply/receipt/").content.decode()
    assert XSS not in receipt and "<img src=x" not in receipt
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in receipt

    staff = Client()
    staff.force_login(world.office)
    detail = staff.get(f"/cases/{case.tracking_number}/").content.decode()
    assert XSS not in detail and "<img src=x" not in detail
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    listing = staff.get("/cases/?q=alert").content.decode()  # names masked here
    assert case.tracking_number in listing and "<script>" not in listing


def test_organisation_fields_are_escaped_too(client, world):
    data = person_data(
        applicant_type="other_org",
        org_name=XSS,
        org_code="91110000600037341L",
        org_agent=XSS[:30],
        org_representative=XSS[:30],
        identity_file=png_file(),
    )
    assert client.post(APPLY, data).status_code == 303
    staff = Client()
    staff.force_login(world.office)
    html = staff.get(f"/cases/{Case.objects.get().tracking_number}/").content.decode()
    assert XSS not in html and "&lt;script&gt;" in html


def test_injection_in_checked_fields_is_refused_and_echoed_escaped(client, world):
    data = person_data(id_number=XSS, phone=XSS_ATTR, email=XSS[:60], challenge_answer=XSS[:10])
    response = client.post(APPLY, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert XSS not in html and "<img src=x" not in html
    assert "居民身份证号码应为18位" in html and "电话号码只能包含数字" in html
    assert Case.objects.count() == 0


# ---- CSRF ------------------------------------------------------------------------------


def test_csrf_is_enforced_on_apply_and_track(world):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(APPLY, person_data())
    assert refused.status_code == 403
    assert "页面已过期" in refused.content.decode()
    assert (
        client.post("/xxgk/track/", {"tracking_number": "a", "query_code": "b"}).status_code == 403
    )
    assert Case.objects.count() == 0

    page = client.get(APPLY).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = person_data(csrfmiddlewaretoken=token)
    assert client.post(APPLY, data).status_code == 303
    assert Case.objects.count() == 1


# ---- rate limit ------------------------------------------------------------------------


def test_rate_limit_refuses_the_n_plus_first_post(client, world, settings):
    settings.INTAKE_RATE_LIMIT = "3/10m"
    for _ in range(3):
        assert client.post(APPLY, person_data()).status_code == 303
    refused = client.post(APPLY, person_data())
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "请求过于频繁" in html and "10分钟内最多提交 3 次" in html
    assert int(refused["Retry-After"]) > 0
    assert Case.objects.count() == 3
    # Another address is not affected.
    assert client.post(APPLY, person_data(), REMOTE_ADDR="192.0.2.9").status_code == 303


def test_forged_forwarded_for_does_not_escape_the_limit(client, world, settings):
    settings.INTAKE_RATE_LIMIT = "1/10m"
    assert client.post(APPLY, person_data(), HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 303
    refused = client.post(APPLY, person_data(), HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert refused.status_code == 429


def test_forwarded_for_is_read_behind_a_trusted_proxy(rf, settings):
    settings.INTAKE_TRUSTED_PROXIES = ["10.0.0.1"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert ratelimit.client_address(request) == "203.0.113.7"
    request = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert ratelimit.client_address(request) == "198.51.100.1"


def test_rate_limit_can_be_turned_off(client, world, settings):
    settings.INTAKE_RATE_LIMIT = "1/10m"
    settings.INTAKE_RATE_LIMITS_ENABLED = False
    for _ in range(3):
        assert client.post(APPLY, person_data()).status_code == 303


@pytest.mark.parametrize(
    ("text", "count", "seconds"), [("5/10m", 5, 600), ("30/1h", 30, 3600), ("2/s", 2, 1)]
)
def test_limit_setting_parses(text, count, seconds):
    assert ratelimit.parse(text) == ratelimit.Limit(count, seconds)


@pytest.mark.parametrize("text", ["", "5", "0/1m", "5/10d", "x/1m"])
def test_bad_limit_setting_is_refused(text):
    with pytest.raises(ValueError, match="格式不对"):
        ratelimit.parse(text)


def test_window_resets(settings):
    settings.INTAKE_RATE_LIMIT = "2/1m"
    assert ratelimit.hit("t", "a", "INTAKE_RATE_LIMIT", at=60.0).allowed
    assert ratelimit.hit("t", "a", "INTAKE_RATE_LIMIT", at=61.0).allowed
    assert not ratelimit.hit("t", "a", "INTAKE_RATE_LIMIT", at=62.0).allowed
    assert ratelimit.hit("t", "a", "INTAKE_RATE_LIMIT", at=121.0).allowed


# ---- challenge and honeypot ------------------------------------------------------------


def test_wrong_answer_is_refused_with_a_new_question(client, world, media_root):
    data = person_data()
    data["challenge_answer"] = str(int(data["challenge_answer"]) + 1)
    response = client.post(APPLY, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "验证题答案不正确" in html
    assert 'aria-describedby="id_challenge_answer_helptext id_challenge_answer_error"' in html
    assert response.context["challenge"].token != data["challenge_token"]
    assert nothing_stored(media_root)


def test_missing_or_tampered_token_is_refused(client, world, media_root):
    data = person_data()
    data["challenge_token"] = data["challenge_token"][:-2] + "xx"
    response = client.post(APPLY, data)
    assert response.status_code == 400 and "页面凭证无效" in response.content.decode()
    data.pop("challenge_token")
    assert client.post(APPLY, data).status_code == 400
    assert nothing_stored(media_root)


def test_expired_challenge_is_refused(client, world, monkeypatch, media_root):
    data = person_data()
    later = challenge.now() + challenge.max_age() + 10
    monkeypatch.setattr(challenge, "now", lambda: later)
    response = client.post(APPLY, data)
    assert response.status_code == 400
    assert "验证题已失效" in response.content.decode()
    assert nothing_stored(media_root)


def test_too_fast_is_refused(client, world, settings, media_root):
    settings.INTAKE_MIN_FILL_SECONDS = 3
    response = client.post(APPLY, person_data())
    assert response.status_code == 400
    assert "提交得太快了" in response.content.decode()
    assert nothing_stored(media_root)


def test_answer_in_chinese_numerals_is_accepted(client, world):
    from gongkai.intake.checks import chinese_number

    data = person_data()
    data["challenge_answer"] = chinese_number(int(data["challenge_answer"]))
    assert client.post(APPLY, data).status_code == 303


def test_honeypot_filled_is_refused(client, world, media_root):
    response = client.post(APPLY, person_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "请勿填写此项" in response.content.decode()
    assert nothing_stored(media_root)


def test_honeypot_is_hidden_from_people(client, world):
    html = client.get(APPLY).content.decode()
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


# ---- uploads ---------------------------------------------------------------------------


@pytest.fixture
def media_root(settings):
    from pathlib import Path

    return Path(settings.MEDIA_ROOT)


def test_oversized_upload_is_refused_and_nothing_stored(client, world, settings, media_root):
    settings.INTAKE_UPLOAD_MAX_BYTES = 1000
    data = person_data(identity_file=png_file("大照片.png", PNG + b"\x00" * 2000))
    response = client.post(APPLY, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "超过" in html and "上限" in html
    assert "已选择的文件没有保留" in html
    assert nothing_stored(media_root)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("身份证.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "与扩展名不符"),
        ("身份证.jpg", b"<html><script>alert(1)</script></html>", "与扩展名不符"),
        ("身份证.pdf", PNG, "与扩展名不符"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "不接受 .exe"),
        ("身份证.docx", b"PK\x03\x04", "不接受 .docx"),
    ],
)
def test_disguised_upload_is_refused_and_nothing_stored(
    client, world, media_root, name, content, words
):
    response = client.post(APPLY, person_data(identity_file=png_file(name, content)))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert nothing_stored(media_root)


def test_failure_after_the_file_is_written_keeps_nothing(client, world, media_root, monkeypatch):
    def broken_save(self, *args, **kwargs):  # the token is written last, after the file
        raise DatabaseError("disk full")

    monkeypatch.setattr(SubmissionToken, "save", broken_save)
    client.raise_request_exception = False
    response = client.post(APPLY, person_data(identity_file=png_file()))
    assert response.status_code == 500
    assert nothing_stored(media_root)


def test_script_in_the_track_form_is_echoed_escaped(client, world):
    response = client.post("/xxgk/track/", {"tracking_number": XSS, "query_code": XSS_ATTR})
    assert response.status_code == 400
    html = response.content.decode()
    assert XSS not in html and "<img src=x" not in html
    assert "受理编号或查询码不正确" in html


def test_a_request_in_a_begun_window_costs_one_counter_call(monkeypatch, settings):
    """The window's counter is created by its first request only; later requests just
    add one (a round trip to Redis fewer per application)."""
    calls = []

    class Recording:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(cache, name)

    settings.INTAKE_RATE_LIMIT = "5/1m"
    monkeypatch.setattr(ratelimit, "cache", Recording())
    assert ratelimit.hit("t", "b", "INTAKE_RATE_LIMIT", at=60.0).allowed
    assert calls == ["incr", "add"]
    calls.clear()
    for _ in range(4):
        assert ratelimit.hit("t", "b", "INTAKE_RATE_LIMIT", at=61.0).allowed
    assert calls == ["incr"] * 4
    assert not ratelimit.hit("t", "b", "INTAKE_RATE_LIMIT", at=62.0).allowed
