"""A limit on household searches per user: ``check_search(user)`` before a search runs.

Searches are counted per user in fixed windows in Django's cache (``LANTU_SEARCH_LIMIT``
searches per ``LANTU_SEARCH_WINDOW`` seconds, configurable defaults 30 per 60 s): enough for a
cadre working through a list, too few for a script guessing names or numbers. A user over the
limit gets ``Throttled`` (HTTP 429) with a message that says when to try again. With several
server processes, configure a shared cache (database or Redis) so that they count together.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from lantu.core.errors import Throttled

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 60


def _limits() -> tuple[int, int]:
    limit = int(getattr(settings, "LANTU_SEARCH_LIMIT", DEFAULT_LIMIT))
    window = int(getattr(settings, "LANTU_SEARCH_WINDOW", DEFAULT_WINDOW))
    return limit, max(window, 1)


def check_search(user: Any) -> None:
    """Count one search for ``user``; ``Throttled`` once the window's allowance is used up."""
    limit, window = _limits()
    now = int(time.time())
    slot = now // window
    key = f"lantu:search:{getattr(user, 'pk', None)}:{slot}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        wait = (slot + 1) * window - now
        raise Throttled(
            f"查询过于频繁：每{window}秒最多{limit}次，请{wait}秒后再试",
            f"too many searches: at most {limit} every {window} seconds; try again in {wait} s",
        )
