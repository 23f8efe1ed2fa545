"""What lantu/urls.py mounts at /api/."""

from lantu.api.app import api

__all__ = ["api"]
