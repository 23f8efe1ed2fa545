"""WSGI entry point (gunicorn lantu.wsgi or any WSGI server).

The URL configuration (and with it every view module) is imported here, at load, rather than on
the first request: ``lantu serve`` loads the application once in gunicorn's master
(``--preload``) and forks workers that are ready at once, instead of each worker paying seconds of
imports on its first request. No database connection is opened before the fork.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
application = get_wsgi_application()


def _warm() -> None:
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    connections.close_all()


_warm()
