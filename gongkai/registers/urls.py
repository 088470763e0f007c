from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/documents/", views.document_list, name="documents"),
    path("<slug:code>/documents/new/", views.document_add, name="document_add"),
    path("<slug:code>/documents/<int:pk>/", views.document_edit, name="document_edit"),
    path("<slug:code>/documents/<int:pk>/repeal/", views.document_repeal, name="document_repeal"),
    path(
        "<slug:code>/documents/<int:pk>/cancel-repeal/",
        views.document_cancel_repeal,
        name="document_cancel_repeal",
    ),
    path("<slug:code>/imports/", views.import_list, name="imports"),
    path("<slug:code>/imports/template/<slug:kind>.csv", views.import_template, name="template"),
    path("<slug:code>/imports/<slug:token>/", views.import_preview, name="import_preview"),
    path("<slug:code>/imports/<slug:token>/confirm/", views.import_confirm, name="import_confirm"),
    path("<slug:code>/imports/<slug:token>/cancel/", views.import_cancel, name="import_cancel"),
    path("<slug:code>/report/", views.report_default, name="report_default"),
    path("<slug:code>/report/<int:year>/", views.report_section, name="report"),
    path(
        "<slug:code>/report/<int:year>/<slug:fmt>/", views.report_download, name="report_download"
    ),
]
