from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("gongkai.reports.urls")),
    path("accounts/", include("gongkai.accounts.urls")),
    path("activities/", include("gongkai.activities.urls")),
    path("admin/", admin.site.urls),
    path("annual/", include("gongkai.annual.urls")),
    path("appeals/", include("gongkai.appeals.urls")),
    path("attachments/", include("gongkai.attachments.urls")),
    path("cases/", include("gongkai.cases.urls")),
    path("publications/", include("gongkai.publications.urls")),
    path("supervision/", include("gongkai.supervision.urls")),
    path("inbox/", include("gongkai.inbox.urls")),
    path("letters/", include("gongkai.letters.urls")),
    path("library/", include("gongkai.library.urls")),
    path("library/rectification/", include("gongkai.rectification.urls")),
    path("", include("gongkai.ops.urls")),
    path("registers/", include("gongkai.registers.urls")),
    path("workdays/", include("gongkai.workdays.urls")),
    path("xxgk/", include("gongkai.intake.urls")),
    path("xxgk/", include("gongkai.portal.urls")),
]

# A database that cannot be reached is a 503 with a Chinese page (gongkai.ops.views).
handler500 = "gongkai.ops.views.server_error"
