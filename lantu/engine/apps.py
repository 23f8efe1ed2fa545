from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "lantu.engine"
    label = "engine"
