from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "lantu.stats"
    verbose_name = "统计 / statistics"
    default_auto_field = "django.db.models.BigAutoField"
