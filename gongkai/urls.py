from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("gongkai.reports.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("attachments/", include("gongkai.attachments.urls")),
    path("cases/", include("gongkai.cases.urls")),
    path("publications/", include("gongkai.publications.urls")),
    path("supervision/", include("gongkai.supervision.urls")),
    path("inbox/", include("gongkai.inbox.urls")),
    path("letters/", include("gongkai.letters.urls")),
    path("registers/", include("gongkai.registers.urls")),
    path("workdays/", include("gongkai.workdays.urls")),
    path("xxgk/", include("gongkai.intake.urls")),
    path("xxgk/", include("gongkai.portal.urls")),
]
