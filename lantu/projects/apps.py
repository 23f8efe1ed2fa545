from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "lantu.projects"
    label = "projects"
    verbose_name = "项目库与资金 / projects and funds"

    def ready(self) -> None:
        from lantu.engine import snapshot
        from lantu.projects import feeds, lifecycle

        lifecycle.register()
        snapshot.register_linked(feeds.add_to_snapshot)
