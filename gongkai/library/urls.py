from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("due/", views.due_list, name="due"),
    path("import/", views.import_page, name="import"),
    path("import/web/", views.collect_web, name="collect_web"),
    path("agencies/import/", views.import_directory, name="import_directory"),
    path("report/<int:pk>/", views.report_detail, name="report"),
    path("report/<int:pk>/original/", views.original, name="original"),
    path("report/<int:pk>/correct/", views.correct, name="correct"),
    path("report/<int:pk>/recheck/", views.recheck, name="recheck"),
    path("report/<int:pk>/assign/", views.assign, name="assign"),
    path("report/<int:pk>/compare/<int:other>/", views.narrative_compare, name="narrative_compare"),
    path("finding/<int:pk>/review/", views.review_finding, name="review"),
]
