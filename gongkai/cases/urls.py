from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<str:tracking_number>/", views.case_detail, name="detail"),
    path("<str:tracking_number>/assign/", views.case_assign, name="assign"),
]
