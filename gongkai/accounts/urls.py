from django.contrib.auth import views as auth_views
from django.urls import path

from gongkai.accounts import views

# No namespace: "login" and "logout" are the names Django's settings refer to.
urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/second-factor/", views.SecondFactorView.as_view(), name="second_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("second-factor/", views.SecondFactorView.as_view(), name="second_factor_enrol"),
    path("records/", views.records, name="login_records"),
]
