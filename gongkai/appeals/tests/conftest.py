from gongkai.cases.tests.conftest import national_calendar, world  # noqa: F401
