from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "lantu.exits"
    verbose_name = "贫困退出与评估 / exit and assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lantu.exits import cases

        cases.register()
