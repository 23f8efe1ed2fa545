from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "lantu.monitoring"
    label = "monitoring"
    verbose_name = "防返贫监测 / monitoring"

    def ready(self) -> None:
        # `lantu procedures escalate` (the one 督办 cron) also raises this room's overdue tickets.
        from lantu.monitoring import escalation
        from lantu.procedures.escalation import register

        register("monitoring.ticket", escalation.escalate_tickets)
