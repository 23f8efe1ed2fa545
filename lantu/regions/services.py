"""Writes to the administrative tree. Regions arrive in bulk (the shipped Yunnan file for province,
prefectures and counties; township and village lists from imports or the simulator)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

from django.db import transaction

from lantu.core.errors import ValidationFailed
from lantu.regions.models import LEVEL_ORDER, Region

YUNNAN_FILE = "yunnan_divisions.csv"


def read_division_rows(path: Path | None = None) -> list[dict[str, str]]:
    """Rows of a divisions CSV (code, name, level, type, parent_code); '#' lines are comments."""
    if path is None:
        text = resources.files("lantu.regions").joinpath("data", YUNNAN_FILE).read_text("utf-8")
    else:
        text = path.read_text("utf-8-sig")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@transaction.atomic
def load_regions(rows: Iterable[Mapping[str, str]], *, actor: object | None = None) -> int:
    """Create or update regions in bulk, parents before children; returns how many were written.

    Every row is checked before anything is written: an unknown level or a parent that is neither
    in the file nor in the database rejects the whole load.
    """
    rows = sorted(
        rows, key=lambda r: LEVEL_ORDER.index(r["level"]) if r["level"] in LEVEL_ORDER else -1
    )
    known = {r.code: r for r in Region.objects.all()}
    incoming = {r["code"] for r in rows}
    errors: list[str] = []
    for r in rows:
        if r["level"] not in LEVEL_ORDER:
            errors.append(f"{r['code']}: 层级 '{r['level']}' 无效 / unknown level '{r['level']}'")
        parent = r.get("parent_code") or ""
        if parent and parent not in known and parent not in incoming:
            errors.append(f"{r['code']}: 上级 {parent} 不存在 / parent {parent} does not exist")
    if errors:
        raise ValidationFailed("；".join(errors[:20]), "; ".join(errors[:20]))
    written = 0
    creates: list[Region] = []
    for i, r in enumerate(rows):
        parent_code = r.get("parent_code") or ""
        parent_region = known.get(parent_code) if parent_code else None
        region = known.get(r["code"])
        if region is None:
            region = Region(code=r["code"])
            creates.append(region)
        region.name = r["name"]
        region.level = r["level"]
        region.kind = r.get("type") or r.get("kind") or ""
        region.parent = parent_region
        region.path = region.compute_path()
        known[region.code] = region
        if region.pk is not None:
            region.save()
        written += 1
        # Children of a new region need its primary key: flush creations level by level.
        if creates and (i == len(rows) - 1 or rows[i + 1]["level"] != r["level"]):
            Region.objects.bulk_create(creates, batch_size=2000)
            creates = []
    return written


def load_yunnan() -> int:
    """The province, its 16 prefectures and 129 counties (GB/T 2260), shipped with Lantu."""
    return load_regions(read_division_rows())
