"""Login and logout; the URL names ``login`` and ``logout`` are what settings refer to."""

from django.urls import path

from lantu.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
