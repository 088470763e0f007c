"""Double submission at the same moment, on PostgreSQL: one case, the same receipt for all."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from gongkai.cases.models import Case
from gongkai.intake.models import SubmissionToken

from .conftest import person_data, png_file

pytestmark = pytest.mark.django_db(transaction=True)
POSTS = 4


@pytest.fixture(autouse=True)
def no_limits(settings):
    settings.INTAKE_RATE_LIMITS_ENABLED = False


def _post_together(data_factory):
    barrier = threading.Barrier(POSTS)
    results = [None] * POSTS

    def worker(i):
        try:
            client = Client()
            data = data_factory()
            barrier.wait()
            response = client.post("/xxgk/apply/", data)
            page = client.get("/xxgk/apply/receipt/")
            html = page.content.decode()
            number = re.search(r'id="tracking-number">([^<]+)<', html)[1]
            code = re.search(r'id="query-code">([^<]+)<', html)[1]
            results[i] = (response.status_code, number, code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(POSTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_posts_of_one_form_create_one_case(world):
    if connection.vendor != "postgresql":
        pytest.skip("并发重复提交测试需要 PostgreSQL（DATABASE_URL=postgres://…）。")
    for _ in range(3):
        data = person_data()
        upload = png_file().getvalue()
        results = _post_together(
            lambda data=data, upload=upload: {**data, "identity_file": png_file(data=upload)}
        )
        assert all(r is not None and r[0] == 303 for r in results), results
        assert len({(r[1], r[2]) for r in results}) == 1, results
    assert Case.objects.count() == 3
    assert SubmissionToken.objects.filter(case__isnull=False).count() == 3
    for case in Case.objects.all():
        assert case.attachments.count() == 1


def test_concurrent_posts_of_different_forms_get_distinct_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("并发提交测试需要 PostgreSQL（DATABASE_URL=postgres://…）。")
    results = _post_together(person_data)
    assert all(r[0] == 303 for r in results)
    assert len({r[1] for r in results}) == POSTS
    assert Case.objects.count() == POSTS
