"""WSGI entry point (gunicorn lantu.wsgi or any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
application = get_wsgi_application()
