"""Mounted at /xxgk/ before the portal: only apply/… and track/… are defined here."""

from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/receipt/", views.receipt, name="receipt"),
    path("apply/receipt/download/", views.receipt_download, name="receipt_download"),
    path("apply/receipt/done/", views.receipt_done, name="receipt_done"),
    path("track/", views.track, name="track"),
    path("track/download/<str:token>/", views.track_download, name="track_download"),
    path("track/correction/", views.track_correction, name="track_correction"),
    path("track/correction/done/", views.track_corrected, name="track_corrected"),
]
