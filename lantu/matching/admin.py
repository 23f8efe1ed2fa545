"""Data comparison in Django's admin: read-only and scoped like the registry's admin (whose
base class it reuses); loads are province deliveries, shown to the same staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lantu.matching.models import DatasetLoad, Finding, Link, ReviewPair
from lantu.registry.admin import RegistryAdmin


@admin.register(DatasetLoad)
class DatasetLoadAdmin(RegistryAdmin):
    list_display = ("dataset", "as_of", "rows", "active", "source", "loaded_at", "linked_at")
    list_filter = ("dataset", "active")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return admin.ModelAdmin.get_queryset(self, request)


@admin.register(Link)
class LinkAdmin(RegistryAdmin):
    path_field = "member__household__region_path"
    list_display = ("record", "member", "method", "probability", "created_at")
    list_filter = ("method",)
    list_select_related = ("record", "member")


@admin.register(ReviewPair)
class ReviewPairAdmin(RegistryAdmin):
    list_display = ("record", "member", "probability", "decision", "decided_at")
    list_filter = ("decision",)


@admin.register(Finding)
class FindingAdmin(RegistryAdmin):
    list_display = ("household", "year", "rule", "kind", "dataset", "found_on", "status")
    list_filter = ("year", "kind", "rule", "status")
    list_select_related = ("household",)
