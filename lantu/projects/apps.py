from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "lantu.projects"
    label = "projects"
    verbose_name = "项目库与资金 / projects and funds"

    def ready(self) -> None:
        from lantu.engine import feeds as engine_feeds
        from lantu.projects import feeds, lifecycle

        lifecycle.register()
        engine_feeds.register("projects", feeds.household_facts)
