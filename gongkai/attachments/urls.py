from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("case/<str:tracking_number>/upload/", views.upload, name="upload"),
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("applicant/<int:pk>/", views.applicant_download, name="applicant_download"),
]
