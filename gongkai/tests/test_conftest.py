"""The project's collection hook (gongkai/conftest.py): `make test-pg` selects tests by the
`django_db` mark, so a test that reaches the database only through a fixture must carry it."""

import pytest


@pytest.fixture
def through_a_fixture(db):
    return "database reached through a fixture"


def test_a_test_that_reaches_the_database_through_a_fixture_is_marked(request, through_a_fixture):
    marker = request.node.get_closest_marker("django_db")
    assert marker is not None
    assert not marker.kwargs.get("transaction")


def test_a_test_without_the_database_is_not_marked(request):
    assert request.node.get_closest_marker("django_db") is None
