from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "lantu.standards"
    label = "standards"
