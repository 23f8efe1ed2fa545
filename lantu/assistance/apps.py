from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "lantu.assistance"
    label = "assistance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The cadre role sees only the households paired with them: the scope filter asks this
        # room which those are.
        from lantu.accounts import scope
        from lantu.assistance import facts, pairing_scope
        from lantu.engine import snapshot

        scope.register_narrowing(pairing_scope.ROLE, pairing_scope.narrow)
        # Every registry snapshot (the annual evaluation, the data comparison) carries the
        # assistance facts: cadre, plan, visits and the assisted_* assets of the exclusions.
        snapshot.register_linked(facts.add_to_snapshot)
