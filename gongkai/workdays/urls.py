from django.urls import path

from gongkai.workdays import views

app_name = "workdays"
urlpatterns = [
    path("import-notice/", views.import_notice, name="import_notice"),
]
