from django.urls import path

from . import opendata, views, views_dashboard

app_name = "library"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("due/", views.due_list, name="due"),
    path("import/", views.import_page, name="import"),
    path("import/web/", views.collect_web, name="collect_web"),
    path("import/web/<int:pk>/rerun/", views.rerun_collect_job, name="rerun_collect_job"),
    path("import/job/<int:pk>/", views.upload_job, name="upload_job"),
    path("import/job/<int:pk>/rerun/", views.rerun_upload_job, name="rerun_upload_job"),
    path("agencies/import/", views.import_directory, name="import_directory"),
    path("report/<int:pk>/", views.report_detail, name="report"),
    path("report/<int:pk>/original/", views.original, name="original"),
    path("report/<int:pk>/original/<int:old>/", views.original, name="original_old"),
    path("report/<int:pk>/correct/", views.correct, name="correct"),
    path("report/<int:pk>/recheck/", views.recheck, name="recheck"),
    path("report/<int:pk>/assign/", views.assign, name="assign"),
    path("report/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("report/<int:pk>/compare/<int:other>/", views.narrative_compare, name="narrative_compare"),
    path("finding/<int:pk>/review/", views.review_finding, name="review"),
    # Dashboards, comparison, 体检报告 and open data (views_dashboard.py, opendata.py).
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("agency/<int:pk>/", views_dashboard.agency_years, name="agency"),
    path("compare/", views_dashboard.compare, name="compare"),
    path("checkup/<int:pk>.<str:fmt>", views_dashboard.checkup_export, name="checkup"),
    path("data.csv", opendata.data_csv, name="data-csv"),
    path("data.xlsx", opendata.data_xlsx, name="data-xlsx"),
    path("api/reports/", opendata.api_reports, name="api-reports"),
    path("api/reports/<int:pk>/", opendata.api_report, name="api-report"),
    path("api/figures/", opendata.api_figures, name="api-figures"),
]
