"""Django's model backend, loading with the signed-in user what every page reads of them.

Each request loads the user from the session; the nav bar and every scoped read then use the
user's region, and the nav bar asks whether the user is a cadre (帮扶责任人, for "my households").
Read lazily, those were two more queries on every page; here they come with the user in one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from lantu.accounts.models import User


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        related = ["region"]
        if apps.is_installed("lantu.assistance"):
            related.append("cadre")  # the reverse one-to-one: None when not a cadre, no query
        try:
            user = User._default_manager.select_related(*related).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
