"""A URLconf whose views fail as a database outage and as a bug do (test_health)."""

from django.db import OperationalError
from django.urls import include, path


def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def bug(request):
    raise ValueError("a bug")


urlpatterns = [
    path("down/", database_down),
    path("bug/", bug),
    path("", include("gongkai.urls")),
]
handler500 = "gongkai.ops.views.server_error"
