from django.apps import AppConfig


class PrecisionConfig(AppConfig):
    name = "lantu.precision"
    verbose_name = "精准度 / precision"
