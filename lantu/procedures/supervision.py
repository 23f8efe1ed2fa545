"""Who to call about a notice: the national supervision line and the county's own, read from
``supervision.yaml`` (configurable per county), and the online objection page's address with a
QR code (segno, as inline SVG) for the printed notice."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
import yaml

FILE = Path(__file__).parent / "supervision.yaml"


@dataclass(frozen=True)
class Phone:
    zh: str
    en: str
    number: str


@functools.cache
def _config() -> dict[str, Any]:
    return dict(yaml.safe_load(FILE.read_text(encoding="utf-8")))


def phones(county_code: str) -> list[Phone]:
    """The national line, then the county's (by the first six digits of its code), if set."""
    cfg = _config()
    nat = cfg["national"]
    out = [Phone(nat["zh"], nat["en"], str(nat["phone"]))]
    county = (cfg.get("counties") or {}).get(county_code[:6])
    if county:
        out.append(Phone("县级监督举报电话", "county supervision line", str(county)))
    return out


def qr_svg(url: str) -> str:
    """The URL as a QR code, an inline SVG element (scales cleanly in print)."""
    return str(segno.make(url, error="m").svg_inline(scale=3, border=2))
