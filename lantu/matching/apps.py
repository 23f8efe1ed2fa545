from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "lantu.matching"
    verbose_name = "数据比对 / data comparison"
    default_auto_field = "django.db.models.BigAutoField"
