"""Login and logout pages (Django's own views, with Lantu's template and form)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from lantu.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logout is a POST (the base layout's button); Django refuses GET logouts."""
