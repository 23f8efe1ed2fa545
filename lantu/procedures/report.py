"""The year's report of changes per village, rolled up per township (the report the province
sends up), as rows and as an XLSX.

Status changes are counted in the database from the registry's status history, grouped by the
households' region path (one row per village or group), then summed up to townships. Births are
members born in the year; deaths and moves are members who left the household in the year
(``Member.left_year``, set by the registry's services and imports; the reason ``death``/死亡 is a
death, any other reason a move: marriage, split, migration).
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django.db.models import Count

from lantu.core.xlsx import workbook
from lantu.regions.models import Region
from lantu.registry.models import Member, StatusChange

STATUS_COLUMNS = {
    "poor": "added",
    "exited": "exited",
    "removed": "removed",
    "returned": "returned",
    "monitored": "monitored",
    "risk_eliminated": "risk_eliminated",
}
COLUMNS = (
    ("added", "新识别", "added"),
    ("exited", "脱贫退出", "exited"),
    ("removed", "清退", "removed"),
    ("returned", "返贫", "returned"),
    ("monitored", "纳入监测", "monitored"),
    ("risk_eliminated", "风险消除", "risk eliminated"),
    ("births", "出生", "births"),
    ("deaths", "死亡", "deaths"),
    ("moves", "迁出", "moves"),
)
DEATH = ("death", "死亡")
VILLAGE_DEPTH = 5  # /province/prefecture/county/township/village/
TOWNSHIP_DEPTH = 4


def cut(path: str, depth: int = VILLAGE_DEPTH) -> str:
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:depth]) + "/"


def _zeros() -> dict[str, int]:
    return dict.fromkeys((c for c, _, _ in COLUMNS), 0)


def _counts(year: int) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(_zeros)
    changes = (
        StatusChange.objects.filter(year=year, to_status__in=list(STATUS_COLUMNS))
        .values("household__region_path", "to_status")
        .annotate(n=Count("id"))
    )
    for row in changes:
        out[cut(row["household__region_path"])][STATUS_COLUMNS[row["to_status"]]] += row["n"]
    births = (
        Member.objects.filter(birth_date__year=year)
        .values("household__region_path")
        .annotate(n=Count("id"))
    )
    for b in births:
        out[cut(b["household__region_path"])]["births"] += b["n"]
    left = (
        Member.objects.filter(active=False, left_year=year)
        .values("household__region_path", "left_reason")
        .annotate(n=Count("id"))
    )
    for gone in left:
        kind = "deaths" if gone["left_reason"] in DEATH else "moves"
        out[cut(gone["household__region_path"])][kind] += gone["n"]
    return out


def change_report(year: int) -> list[dict[str, Any]]:
    """One row per village: the year's changes (stored with the closed year)."""
    return _named(_counts(year))


def _named(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    codes = [p.strip("/").split("/")[-1] for p in counts]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for path in sorted(counts):
        code = path.strip("/").split("/")[-1]
        rows.append({"path": path, "code": code, "name": names.get(code, code)} | counts[path])
    return rows


def rollup(rows: list[dict[str, Any]], scope: str | None, depth: int) -> list[dict[str, Any]]:
    """The stored village rows inside ``scope``, summed up to ``depth`` (4: townships)."""
    if scope is None:
        return []
    out: dict[str, dict[str, int]] = defaultdict(_zeros)
    for r in rows:
        if r["path"].startswith(scope):
            target = out[cut(r["path"], max(depth, scope.count("/") - 1))]
            for c, _, _ in COLUMNS:
                target[c] += r[c]
    return _named(out)


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {c: sum(r[c] for r in rows) for c, _, _ in COLUMNS}


def xlsx(year: int, rows: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    book = workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(f"{year}")
    bold = book.add_format({"bold": True})
    header = ["区划代码 code", "区划 region"] + [f"{zh} {en}" for _, zh, en in COLUMNS]
    sheet.write_row(0, 0, header, bold)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, [r["code"], r["name"]] + [r[c] for c, _, _ in COLUMNS])
    t = totals(rows)
    sheet.write_row(len(rows) + 1, 0, ["", "合计 total"] + [t[c] for c, _, _ in COLUMNS], bold)
    sheet.set_column(0, 1, 16)
    sheet.set_column(2, len(header), 12)
    book.close()
    return buf.getvalue()
