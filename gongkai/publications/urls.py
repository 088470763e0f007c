from django.urls import path

from . import views

app_name = "publications"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/submit/", views.item_submit, name="submit"),
    path("<int:pk>/first-review/", views.item_first_review, name="first_review"),
    path("<int:pk>/secrecy-review/", views.item_secrecy_review, name="secrecy_review"),
    path("<int:pk>/approve/", views.item_approve, name="approve"),
    path("<int:pk>/publish/", views.item_publish, name="publish"),
    path("<int:pk>/correct/", views.item_correct, name="correct"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("<int:pk>/channels/", views.item_channel, name="channel"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
