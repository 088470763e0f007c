"""The whole demo bureau, loaded once per test module instead of once per test.

`load_demo` drives a few hundred requests, 复议/诉讼 and 主动公开 items through their
workflows (tens of seconds). The fixture loads it inside one outer transaction; each
test runs in a savepoint within it (as Django's TestCase.setUpTestData does), and the
whole load is rolled back when the module ends, so no other test sees it.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

TODAY = dt.date(2026, 6, 15)  # pinned: a Monday


@pytest.fixture(scope="module")
def demo_bureau(django_db_setup, django_db_blocker):
    """The demo agency (示范市公安局) as `make run` loads it on TODAY."""
    from gongkai.agencies.models import Agency
    from gongkai.demo import bureau

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=fast):
        with transaction.atomic():
            call_command("load_demo", today=TODAY.isoformat(), verbosity=0)
            yield Agency.objects.get(code=bureau.AGENCY_CODE)
            transaction.set_rollback(True)
