"""Transport and browser hardening (issue 13, findings 8 and 10): CSP with nonces, HSTS
and Secure cookies behind HTTPS_ONLY, `check --deploy` clean, the request-body cap."""

import base64
import hashlib
import io
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "gongkai"


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "HTTPS_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALLOWED_HOSTS="x,127.0.0.1",
        GONGKAI_VAR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        PYTHONPATH=str(ROOT),
        # Required under DEBUG=0 (citizens' ID numbers encrypted at rest, issue 13).
        PERSONAL_DATA_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        PERSONAL_DATA_SEARCH_KEY=secrets.token_urlsafe(32),
    )
    env.pop("EMAIL_HOST", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixture
    env.update(extra)
    return env


def check_deploy(tmp_path, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_https_only(tmp_path):
    run = check_deploy(tmp_path, HTTPS_ONLY="1")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout + run.stderr
    assert "WARNING" not in run.stdout + run.stderr


def test_without_https_only_the_transport_warnings_remain(tmp_path):
    # plain HTTP (behind nothing) is a choice the operator sees in check --deploy
    run = check_deploy(tmp_path)
    out = run.stdout + run.stderr
    assert "mail.E001" not in out
    for code in ("W004", "W008", "W012", "W016"):
        assert code in out


def test_https_only_sets_hsts_and_secure_cookies(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.ACCOUNTS_OTP_REQUIRED)"
    )
    run = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=ROOT,
        env=production_env(tmp_path, HTTPS_ONLY="1", DJANGO_SETTINGS_MODULE="gongkai.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.split() == ["31536000", "True", "True", "True", "True", "True", "Lax", "True"]


@pytest.mark.django_db
def test_pages_carry_a_csp_with_a_nonce(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy


def test_every_inline_script_has_the_nonce():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            if "src=" not in tag and 'nonce="{{ csp_nonce }}"' not in tag:
                missing.append(f"{path}: {tag}")
    assert missing == []


def test_no_inline_style_but_the_500_pages_which_is_hashed():
    styles = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\sstyle=\"", text), path
        styles += re.findall(r"<style>(.*?)</style>", text, re.S)
    allowed = django_settings.SECURE_CSP["style-src"]
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


# Request body cap (finding 10) -------------------------------------------------------


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body must not be read")


def call(app, environ):
    seen = {}

    def start_response(status, headers):
        seen["status"] = status
        seen["headers"] = dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], body


def base_environ(**extra):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": Unreadable(),
        "wsgi.errors": io.StringIO(),
    }
    environ.update(extra)
    return environ


def test_wsgi_refuses_a_large_body_before_reading_it(settings):
    from gongkai.wsgi import application

    status, body = call(application, base_environ(CONTENT_LENGTH=str(300 * 1024 * 1024)))
    assert status.startswith("413")
    assert "超过了系统允许的大小" in body.decode()


def test_wsgi_refuses_a_large_chunked_body(settings):
    from gongkai.wsgi import BodyLimit

    inner = BodyLimit(lambda e, s: [b"ok"], 1000)
    environ = base_environ(
        HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": io.BytesIO(b"x" * 5000)}
    )
    status, _ = call(inner, environ)
    assert status.startswith("413")


def test_wsgi_passes_a_body_under_the_cap():
    from gongkai.wsgi import BodyLimit

    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b"ok"]

    environ = base_environ(
        HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": io.BytesIO(b"x" * 500)}
    )
    status, _ = call(BodyLimit(app, 1000), environ)
    assert status.startswith("200") and seen["body"] == b"x" * 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_server_make_serve_runs_refuses_300_mb_without_receiving_it(tmp_path):
    """granian as `make serve` runs it: a 300 MB POST is answered 413 from its headers."""
    granian = Path(sys.executable).parent / "granian"
    port = free_port()
    server = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "gongkai.wsgi:application",
        ],
        cwd=ROOT,
        env=production_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        with conn:
            conn.sendall(
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=gongkai\r\n"
                + f"Content-Length: {300 * 1024 * 1024}\r\n\r\n".encode()
                + b"--gongkai\r\n"
                + b'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
                + b"x" * 65536
            )
            conn.settimeout(20)
            started = time.monotonic()
            reply = conn.recv(4096)
            assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
            assert time.monotonic() - started < 10
    finally:
        server.terminate()
        server.wait(timeout=20)
