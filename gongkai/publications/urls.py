from django.urls import path

from . import views
from .views import action_view

app_name = "publications"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("export/<slug:fmt>/", views.item_export, name="export"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/submit/", action_view("submit"), name="submit"),
    path("<int:pk>/first-review/", action_view("first_review"), name="first_review"),
    path("<int:pk>/secrecy-review/", action_view("secrecy_review"), name="secrecy_review"),
    path("<int:pk>/approve/", action_view("approve"), name="approve"),
    path("<int:pk>/publish/", action_view("publish"), name="publish"),
    path("<int:pk>/reschedule/", action_view("reschedule"), name="reschedule"),
    path("<int:pk>/unschedule/", action_view("unschedule"), name="unschedule"),
    path("<int:pk>/correct/", views.item_correct, name="correct"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("<int:pk>/channels/", action_view("channel"), name="channel"),
    path("<int:pk>/attachments/", action_view("attachment_upload"), name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        action_view("attachment_delete"),
        name="attachment_delete",
    ),
]
