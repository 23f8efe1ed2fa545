"""Login and logout pages (Django's own views, with Lantu's template and form)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.urls import reverse

from lantu.accounts.forms import LoginForm
from lantu.accounts.roles import Perm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """A user who may not see the registry but works tickets (a department's staff) lands on
        their department's monitoring queue instead of the home page they cannot open."""
        user: Any = self.request.user
        if not user.can(Perm.VIEW) and user.can(Perm.TICKETS):
            return reverse("monitoring:queue") + "?section=department"
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    """Logout is a POST (the base layout's button); Django refuses GET logouts."""
