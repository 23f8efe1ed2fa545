from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "lantu.simulator"
    label = "simulator"
