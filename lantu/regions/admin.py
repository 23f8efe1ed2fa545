"""The administrative tree in Django's admin: read-only (regions arrive through
``lantu.regions.services.load_regions``, which checks the whole tree), searchable by code and
name."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lantu.regions.models import PovertyStatus, Region


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnly):
    list_display = ("code", "name", "level", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    show_full_result_count = False


@admin.register(PovertyStatus)
class PovertyStatusAdmin(ReadOnly):
    list_display = ("region", "year", "is_poor", "exited_year")
    list_filter = ("year", "is_poor")
    search_fields = ("region__code", "region__name")
    list_select_related = ("region",)
