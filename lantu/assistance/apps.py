from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "lantu.assistance"
    label = "assistance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The cadre role sees only the households paired with them: the scope filter asks this
        # room which those are.
        from lantu.accounts import scope
        from lantu.assistance import pairing_scope

        scope.register_narrowing(pairing_scope.ROLE, pairing_scope.narrow)
