from django.urls import path

from . import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("new/<str:tracking_number>/", views.appeal_new, name="new"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/edit/", views.appeal_edit, name="edit"),
    path("<int:pk>/answer/", views.appeal_answer, name="answer"),
    path("<int:pk>/decide/", views.appeal_decide, name="decide"),
    path("<int:pk>/document/", views.appeal_document, name="document"),
]
