from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "lantu.jobs"
    verbose_name = "后台任务 / background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each room declares its job kinds in its own ``jobs`` module (lantu/<room>/jobs.py).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
        # An installation's own job modules (and the tests' sample jobs), comma-separated.
        import importlib
        import os

        for name in filter(None, os.environ.get("LANTU_JOBS_MODULES", "").split(",")):
            importlib.import_module(name.strip())
