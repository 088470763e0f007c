from django.urls import path

from . import board, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<slug:fmt>/", board.export, name="dashboard_export"),
    path("new/", views.case_new, name="new"),
    path("report/", views.annual_report, name="report"),
    path("export/<slug:fmt>/", views.case_export, name="export"),
    path("<str:tracking_number>/", views.case_detail, name="detail"),
    path("<str:tracking_number>/sheet/", views.case_sheet, name="sheet"),
    path("<str:tracking_number>/assign/", views.case_assign, name="assign"),
    path("<str:tracking_number>/act/<slug:action>/", views.case_action, name="act"),
]
