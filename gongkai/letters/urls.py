from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("settings/", views.settings_index, name="settings_index"),
    path("settings/<slug:code>/", views.settings_page, name="settings"),
    path("settings/<slug:code>/letterhead/", views.letterhead_edit, name="letterhead"),
    path("settings/<slug:code>/templates/<str:key>/", views.template_edit, name="template"),
    path("case/<str:tracking_number>/<str:key>/", views.download, name="download"),
]
