"""Users in Django's admin, with their region and roles."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from lantu.accounts.forms import UserAdminForm
from lantu.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    form = UserAdminForm
    list_display = ("username", "get_full_name", "region", "roles", "is_active", "last_login")
    list_select_related = ("region",)
    search_fields = ("username", "first_name", "last_name", "region__name")
    autocomplete_fields = ("region",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("辖区与角色"), {"fields": ("region", "roles", "phone")}),
    )
