"""The dashboard's charts, built on the server from the aggregates: each ``Chart`` carries the
ECharts option (rendered by ``lantu/stats.js``) and the same numbers as a table (shown under the
chart for screen readers and print, and exported to XLSX). Numbers are never computed twice."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from lantu.regions.models import Region
from lantu.stats.indicators import catalogue
from lantu.stats.labels import key_label
from lantu.stats.queries import Figures

DIVISIONS = Path(__file__).resolve().parents[1] / "regions" / "data" / "yunnan_divisions.csv"


@dataclass
class Chart:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    option: dict[str, Any]
    note: str = ""
    empty: bool = False
    height: int = 320
    wide: bool = False  # spans the dashboard's width
    extra: dict[str, Any] = field(default_factory=dict)


def _num(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def trend(series: dict[int, Figures], names: list[str], chart_id: str = "trend") -> Chart:
    cat = catalogue()
    years = sorted(series)
    rows = [[y, *(_num(series[y].total(n)) for n in names)] for y in years]
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": cat.indicators[n].label,
                "type": "line",
                "data": [r[i + 1] for r in rows],
                "connectNulls": False,
            }
            for i, n in enumerate(names)
        ],
    }
    columns = [_("年度"), *(cat.indicators[n].label for n in names)]
    return Chart(chart_id, _("逐年趋势"), columns, rows, option, empty=not rows)


def breakdown(figs: Figures, name: str, *, pie: bool = False) -> Chart:
    ind = catalogue().indicators[name]
    by = ind.by or ("kind" if ind.table in ("cases", "findings") else "")
    parts = sorted(figs.parts(name).items(), key=lambda kv: -kv[1])
    rows = [[key_label(by, k), _num(v)] for k, v in parts]
    missing = name in figs.missing
    if pie:
        series = [{"type": "pie", "radius": ["35%", "65%"],
                   "data": [{"name": r[0], "value": r[1]} for r in rows]}]  # fmt: skip
        option: dict[str, Any] = {"tooltip": {"trigger": "item"}, "series": series}
    else:
        option = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 140, "right": 30, "top": 10, "bottom": 30},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "inverse": True, "data": [r[0] for r in rows]},
            "series": [{"type": "bar", "data": [r[1] for r in rows], "name": ind.label}],
        }
    note = _("暂无数据：数据来源尚未建成") if missing else ""
    return Chart(f"by-{name}", ind.label, [_("类别"), f"{ind.label}（{ind.unit_label}）"], rows,
                 option, note=note, empty=not rows)  # fmt: skip


def ranking(kids: list[tuple[Region, Figures]], name: str) -> Chart:
    ind = catalogue().indicators[name]
    ranked = sorted(((r.name, f.total(name)) for r, f in kids), key=lambda x: -(x[1] or 0))
    rows = [[i + 1, n, _num(v)] for i, (n, v) in enumerate(ranked)]
    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 110, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": True, "data": [r[1] for r in rows]},
        "series": [{"type": "bar", "name": ind.label, "data": [r[2] for r in rows]}],
    }
    height = max(220, 24 * len(rows) + 50)
    return Chart(f"rank-{name}", _("下级区划排名：%(x)s") % {"x": ind.label},
                 [_("名次"), _("区划"), f"{ind.label}（{ind.unit_label}）"], rows, option,
                 empty=not rows, height=height)  # fmt: skip


def short_name(county: str) -> str:
    """盘龙区 → 盘龙, 石林彝族自治县 → 石林, 玉龙纳西族自治县 → 玉龙 (tiles are small)."""
    base = re.sub(r"(自治县|自治州|县|市|区)$", "", county)
    if len(base) < 2:  # 云县, 芒市
        return county
    match = re.fullmatch(r"(.{2,}?)(?:[\u4e00-\u9fff]{1,3}?族)+", base)
    return match.group(1) if match else base


@cache
def yunnan_counties() -> list[tuple[str, str, str, str]]:
    """(county code, county name, prefecture code, prefecture name) from the shipped divisions."""
    with DIVISIONS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    prefectures = {r["code"]: r["name"] for r in rows if r["level"] == "prefecture"}
    return [(r["code"], r["name"], r["parent_code"], prefectures[r["parent_code"]])
            for r in rows if r["level"] == "county"]  # fmt: skip


def county_tiles(values: dict[str, Figures], name: str) -> Chart:
    """Yunnan's 129 counties as a tile grid, one row per prefecture, coloured by the indicator.
    (No maintained map package with Yunnan's county boundaries and a compatible licence exists on
    the registries this project may use; see docs/stats.md.) Counties outside the reader's
    region, or with no figures, stay grey."""
    ind = catalogue().indicators[name]
    prefectures: list[str] = []
    tiles, grey, rows = [], [], []
    col: dict[str, int] = {}
    for code, county, pcode, prefecture in yunnan_counties():
        if prefecture not in prefectures:
            prefectures.append(prefecture)
        x = col.get(pcode, 0)
        col[pcode] = x + 1
        v = values[code].total(name) if code in values else None
        if v is None:
            grey.append([str(x), prefecture, 0, short_name(county), county])
        else:
            tiles.append([str(x), prefecture, _num(v), short_name(county), county])
        rows.append([prefecture, county, _num(v)])
    top = max((t[2] or 0 for t in tiles), default=0)
    label = {"show": True, "formatter": "{@[3]}", "fontSize": 9, "color": "#1f2328"}
    tile = {
        "type": "scatter",
        "symbol": "rect",
        "symbolSize": [52, 24],
        "label": label,
        "tooltip": {"formatter": "{@[4]}：{@[2]}"},
    }
    option = {
        "tooltip": {},
        "grid": {"left": 110, "right": 20, "top": 10, "bottom": 60},
        "xAxis": {"type": "category", "data": [str(i) for i in range(max(col.values(), default=1))],
                  "show": False},
        "yAxis": {"type": "category", "inverse": True, "data": prefectures,
                  "axisLine": {"show": False}, "axisTick": {"show": False}},
        "visualMap": {"min": 0, "max": top or 1, "dimension": 2, "calculable": True,
                      "orient": "horizontal", "left": "center", "bottom": 0, "seriesIndex": 0,
                      "inRange": {"color": ["#dbe9f6", "#1f4e79"]}},
        "series": [
            tile | {"name": ind.label, "data": tiles},
            tile | {"name": _("无数据"), "data": grey, "itemStyle": {"color": "#eaeef2"},
                    "label": label | {"color": "#8c959f"}, "tooltip": {"formatter": "{@[4]}"}},
        ],
    }  # fmt: skip
    return Chart(f"map-{name}", _("云南各县：%(x)s") % {"x": ind.label},
                 [_("州市"), _("县市区"), f"{ind.label}（{ind.unit_label}）"], rows, option,
                 height=560, empty=not tiles, wide=True,
                 note=_("县级分块图：每行一个州市（无许可兼容、持续维护的县界数据）"))  # fmt: skip
