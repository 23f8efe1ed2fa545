from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _protect_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The SQLite file holds every ID number: owner-only, whatever the umask (lantu.core.files)."""
    if connection.vendor == "sqlite":
        from pathlib import Path

        from lantu.core.files import protect_database

        name = str(connection.settings_dict.get("NAME") or "")
        if name and not name.startswith(("file:", ":memory:")):
            protect_database(Path(name))


class CoreConfig(AppConfig):
    name = "lantu.core"
    label = "core"

    def ready(self) -> None:
        connection_created.connect(_protect_sqlite, dispatch_uid="lantu.core.protect_sqlite")
