from gongkai.publications.tests.conftest import national_calendar, world  # noqa: F401
