from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "lantu.supervision"
    label = "supervision"
    verbose_name = "督查与台账核对 / supervision and reconciliation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lantu.supervision import rectification

        rectification.register()
