from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.checkup, name="checkup"),
    path("sample/", views.sample, name="sample"),
    path("download/<str:fmt>/", views.download, name="download"),
]
