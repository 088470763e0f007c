from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/read-all/", views.notices_read_all, name="read_all"),
    path("notices/<int:pk>/read/", views.notice_read, name="read"),
    path("cases/<str:tracking_number>/supervise/", views.case_supervise, name="supervise"),
    path("departments/", views.departments, name="departments"),
    path("departments/export/<slug:fmt>/", views.departments_export, name="departments_export"),
    path("subordinates/", views.subordinates, name="subordinates"),
]
