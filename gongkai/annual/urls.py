from django.urls import path

from . import views

app_name = "annual"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("<slug:code>/<int:year>/", views.workspace, name="workspace"),
    path("<slug:code>/<int:year>/cell/", views.cell, name="cell"),
    path("<slug:code>/<int:year>/edit/", views.step, {"step": "edit"}, name="edit"),
    path("<slug:code>/<int:year>/submit/", views.step, {"step": "submit"}, name="submit"),
    path("<slug:code>/<int:year>/review/", views.step, {"step": "review"}, name="review"),
    path("<slug:code>/<int:year>/approve/", views.step, {"step": "approve"}, name="approve"),
    path("<slug:code>/<int:year>/publish/", views.step, {"step": "publish"}, name="publish"),
    path("<slug:code>/<int:year>/correct/", views.step, {"step": "correct"}, name="correct"),
]
