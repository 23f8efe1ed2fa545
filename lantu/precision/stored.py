"""Stored precision reports: ``lantu precision`` writes each year's rows to
``VAR_DIR/precision/<year>.json`` (with the simulation folder and the time); the admin's page
reads them back. The web application never reads a simulation's truth: only the command does."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings


def folder() -> Path:
    return Path(settings.VAR_DIR) / "precision"


def save(year: int, rows: list[dict[str, Any]], source: str) -> Path:
    folder().mkdir(parents=True, exist_ok=True)
    path = folder() / f"{int(year)}.json"
    doc = {"year": year, "source": source, "at": datetime.datetime.now().isoformat(" ", "seconds"),
           "rows": rows}  # fmt: skip
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def years() -> list[int]:
    if not folder().is_dir():
        return []
    return sorted((int(p.stem) for p in folder().glob("*.json") if p.stem.isdigit()), reverse=True)


def load(year: int) -> dict[str, Any] | None:
    path = folder() / f"{int(year)}.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))
