from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lantu.core"
    label = "core"
