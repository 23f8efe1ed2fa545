"""The exit room's policy overlay (``policies/exits.yaml``) joined to the ruler's chain."""

from __future__ import annotations

from pathlib import Path

from lantu.standards import policy as ruler_policy

OVERLAY = Path(__file__).parent / "policies" / "exits.yaml"


def overlays() -> list[Path]:
    return [OVERLAY]


def load(name: str) -> ruler_policy.Policy:
    return ruler_policy.load(name, overlays=overlays())
