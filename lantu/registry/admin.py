"""The registry in Django's admin: read-only (every write goes through ``services`` or the
importer, which keep the invariants and write the ledger), visible only to staff who hold the
personal-data permission, and scoped to the user's region like every other read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lantu.accounts.roles import Perm
from lantu.accounts.scope import scoped
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange


class RegistryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    path_field = "region_path"
    show_full_result_count = False

    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and user.can(Perm.PERSONAL_DATA))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(super().get_queryset(request), request.user, path_field=self.path_field)


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    list_display = ("household_no", "head_name", "region", "household_type", "status", "size")
    list_filter = ("status", "household_type")
    search_fields = ("=household_no", "=head_name")
    list_select_related = ("region",)


@admin.register(Member)
class MemberAdmin(RegistryAdmin):
    path_field = "household__region_path"
    list_display = ("name", "id_number", "household", "relation", "active")
    search_fields = ("=id_number", "=name")
    list_select_related = ("household",)


@admin.register(HouseholdYear)
class HouseholdYearAdmin(RegistryAdmin):
    path_field = "household__region_path"
    list_display = ("household", "year", "per_capita_net_income", "main_cause")
    list_filter = ("year",)
    list_select_related = ("household",)


@admin.register(StatusChange)
class StatusChangeAdmin(RegistryAdmin):
    path_field = "household__region_path"
    list_display = ("household", "year", "date", "from_status", "to_status", "reason")
    list_select_related = ("household",)
