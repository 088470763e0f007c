from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/<int:year>/", views.year_view, name="year"),
    path("<slug:code>/<int:year>/<slug:key>/new/", views.row_add, name="add"),
    path("<slug:code>/<int:year>/<slug:key>/<int:pk>/", views.row_edit, name="edit"),
    path("<slug:code>/<int:year>/<slug:key>/<int:pk>/delete/", views.row_delete, name="delete"),
    path("<slug:code>/<int:year>/<slug:key>/import/", views.import_view, name="import"),
    path("<slug:code>/<int:year>/<slug:key>/export.<slug:fmt>", views.export, name="export"),
    path("<slug:code>/template/<slug:key>.csv", views.template, name="template"),
]
