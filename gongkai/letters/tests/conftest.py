import pytest

from gongkai.cases.tests.conftest import world  # noqa: F401


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The `world` fixture creates a user per role; real password hashing dominates setup."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every test stores its files in its own MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
