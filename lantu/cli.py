"""The ``lantu`` command: Django's management commands under Lantu's settings, with a few
domain verbs spelled as users say them (``lantu import registry FILE``)."""

from __future__ import annotations

import os
import sys

# Verbs that are Python keywords or read better than their module names.
ALIASES = {"import": "import_data", "initial-load": "initial_load"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "lantu"
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
