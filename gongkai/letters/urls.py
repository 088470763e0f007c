from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("settings/", views.settings_index, name="settings_index"),
    path("settings/<slug:code>/", views.settings_page, name="settings"),
    path("settings/<slug:code>/letterhead/", views.letterhead_edit, name="letterhead"),
    path("settings/<slug:code>/templates/<str:key>/", views.template_edit, name="template"),
    path("case/<str:tracking_number>/receipt/print/", views.receipt, name="receipt"),
    path("case/<str:tracking_number>/query-code/", views.reissue_code, name="reissue_code"),
    path("case/<str:tracking_number>/reply-text/", views.reply_text, name="reply_text"),
    path("case/<str:tracking_number>/<str:key>/", views.download, name="download"),
]
