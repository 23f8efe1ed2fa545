"""The monitoring room's numbers (the ticket clock, abuse limits, photo size), read from the ruler.

``policies/monitoring.yaml`` is a layer of the ruler's policy chain (``lantu.standards.policy.load``
with ``overlays=[...]``), so every value is dated and referenced and a province or county policy can
override it. ``value(name, year)`` answers the value in force; it is cached per process for an
hour, since the public page reads the limits on every submission.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

from lantu.core.errors import ValidationFailed
from lantu.procedures import clock
from lantu.procedures.config import default_policy
from lantu.standards.policy import Policy, load

OVERLAY = Path(__file__).resolve().parent / "policies" / "monitoring.yaml"


def policy() -> Policy:
    return load(default_policy(), overlays=[OVERLAY])


@functools.lru_cache(maxsize=256)
def _cached(name: str, year: int, _hour: int) -> Any:
    p = policy().parameters[name].at(year)
    if p is None:
        raise ValidationFailed(f"政策参数{name}在{year}年无取值", f"{name} has no value in {year}")
    return p.value


def value(name: str, year: int | None = None) -> Any:
    return _cached(name, year or clock.today().year, int(time.time()) // 3600)


def days(name: str, year: int | None = None) -> int:
    return int(value(name, year))
