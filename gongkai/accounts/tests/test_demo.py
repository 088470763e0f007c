"""Demo logins: `load_demo` is idempotent, `demo_logins` prints them in Chinese."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # Django's test-speed advice: the real hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_load_demo_creates_logins_and_repairs_changes(client, settings):
    """One load (the demo's loaders are not cheap), then: the admin and the clerk exist
    and log in on the page; a second load repairs a changed password and creates nothing."""
    settings.DEBUG = True
    call_command("load_demo", skip_cases=True, verbosity=0)
    admin = authenticate(username="admin", password="gongkai-admin")
    clerk = authenticate(username="clerk", password="gongkai-clerk")
    assert admin.is_superuser and admin.is_staff
    assert clerk.is_staff and not clerk.is_superuser
    assert list(clerk.groups.values_list("name", flat=True)) == ["政务公开办"]

    page = client.get("/accounts/login/")
    assert "登录" in page.content.decode() and 'lang="zh-CN"' in page.content.decode()
    bad = client.post("/accounts/login/", {"username": "clerk", "password": "x"})
    assert "用户名或密码不正确" in bad.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": "gongkai-clerk"}, follow=True
    )
    html = response.content.decode()
    assert "退出" in html and "clerk" in html
    client.post("/accounts/logout/")
    assert "登录" in client.get("/").content.decode()

    clerk = User.objects.get(username="clerk")
    clerk.set_password("changed")
    clerk.is_active = False
    clerk.save()
    out = StringIO()
    call_command("load_demo", skip_cases=True, stdout=out)
    assert "本次新建 0 个" in out.getvalue()
    assert User.objects.filter(username__in=["admin", "clerk"]).count() == 2
    assert Group.objects.filter(name="政务公开办").count() == 1
    assert authenticate(username="clerk", password="gongkai-clerk") is not None


def test_load_demo_refuses_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo")
    assert not User.objects.filter(username="admin").exists()


def test_demo_logins_prints_url_and_accounts():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert "/accounts/login/" in text
    assert "admin" in text and "gongkai-admin" in text
    assert "clerk" in text and "gongkai-clerk" in text
