import io
import re
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.cache import cache

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.intake import challenge, checks
from gongkai.letters.tests.factories import complete_letterhead
from gongkai.workdays import loading


@pytest.fixture(autouse=True)
def clean_cache():
    """Rate-limit counters live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def quick_fill(settings, tmp_path):
    settings.INTAKE_MIN_FILL_SECONDS = 0
    settings.INTAKE_RATE_LIMITS_ENABLED = True
    settings.INTAKE_RATE_LIMIT = "10/10m"
    settings.INTAKE_TRACK_RATE_LIMIT = "30/10m"
    settings.INTAKE_TRACK_NUMBER_LIMIT = "10/1h"
    settings.INTAKE_TRUSTED_PROXIES = []
    settings.PORTAL_AGENCY_CODE = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def calendar(db):
    loading.load_chinesecalendar()


@pytest.fixture
def world(db):
    agency = make_agency(name="示范市公安局", code="SFGAJ")
    complete_letterhead(agency)  # a reply names the 复议机关 and the court
    dept = make_department(agency, name="治安支队")
    users = {role: make_user(agency, role, department=dept) for role in Role.values}
    return SimpleNamespace(agency=agency, dept=dept, **users)


def solve(token):
    """The answer to a challenge token (tests read the signed payload)."""
    p = signing.loads(token, salt=challenge.SALT)
    return str(p["a"] + p["b"] if p["o"] == "+" else p["a"] - p["b"])


def solve_question(text):
    """The answer to a question as a person reads it: 七加五等于多少？ → 12."""
    m = re.search(r"([零一二三四五六七八九十]+)(加|减)([零一二三四五六七八九十]+)等于多少", text)
    a, b = checks.parse_answer(m[1]), checks.parse_answer(m[3])
    return str(a + b if m[2] == "加" else a - b)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def png_file(name="身份证.png", data=PNG):
    f = io.BytesIO(data)
    f.name = name
    return f


def person_data(agency_code="SFGAJ", **overrides):
    """A complete, valid application of a natural person (with a fresh challenge)."""
    ch = challenge.issue(agency_code)
    data = {
        "applicant_type": "natural_person",
        "person_name": "张三",
        "id_type": "居民身份证",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "email": "zhangsan@example.com",
        "address": "北京市朝阳区某路1号 100000",
        "content": "申请公开2024年本市道路交通事故统计数据（按月）",
        "form_wanted": "electronic",
        "business_type": "traffic",
        "declaration": "on",
        "challenge_token": ch.token,
        "challenge_answer": solve(ch.token),
        "website": "",
    }
    data.update(overrides)
    return data
