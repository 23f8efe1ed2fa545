from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "lantu.ledger"
    label = "ledger"
    verbose_name = "台账"
