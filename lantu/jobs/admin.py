from django.contrib import admin

from lantu.jobs.models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "status",
        "started_by",
        "region_path",
        "created_at",
        "done",
        "total",
    )
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in Run._meta.fields]
