from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.export, name="export"),
    path("new/<int:report_pk>/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
