from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "lantu.procedures"
    label = "procedures"
    verbose_name = "程序 / procedures"
