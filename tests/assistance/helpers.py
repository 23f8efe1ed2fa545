"""Assistance test data, written as the files a county office uploads and imported through the
real importers."""

from __future__ import annotations

import datetime
import io
from typing import Any

import polars as pl

from lantu.assistance.imports import import_file
from tests.factories import make_id


def csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(rows).cast(pl.String).write_csv(buf)
    return buf.getvalue()


def load(kind: str, rows: list[dict[str, Any]], actor: Any = None) -> Any:
    report = import_file(kind, csv(rows), f"{kind}.csv", actor=actor)
    assert report.ok, [(e.row, e.column, e.en) for e in report.errors]
    return report


def cadre_row(no: str, region: str, level: str = "县级干部", **kw: Any) -> dict[str, Any]:
    return {
        "干部编号": no,
        "姓名": f"干部{no}",
        "身份证号": make_id(datetime.date(1980, 1, 1)),
        "单位编码": "DW1",
        "干部层级": level,
        "联系电话": "13912345678",
        "帮扶区域代码": region,
    } | kw


def setup_assistance(w: dict[str, Any]) -> dict[str, Any]:
    """A unit, two cadres in the inside county (one the cadre user's), a team, the inside household
    paired with the cadre user, a plan with two measures and a visit."""
    inside = w["inside"]
    load(
        "units",
        [
            {
                "单位编码": "DW1",
                "单位名称": "省示例厅",
                "单位层级": "省级单位",
                "帮扶县村代码": "530822000000",
                "帮扶方式": "定点帮扶",
                "帮扶开始日期": "2016-01-01",
            }
        ],
    )
    load("cadres", [cadre_row("GB1", "530822100201"), cadre_row("GB2", "530822100201", "乡镇干部")])
    load(
        "teams",
        [
            {
                "驻村代码": "530822100201",
                "任期开始": "2021-05-01",
                "干部编号": "GB2",
                "队内职务": "第一书记",
            },
            {
                "驻村代码": "530822100201",
                "任期开始": "2021-05-01",
                "干部编号": "GB1",
                "队内职务": "队员",
            },
        ],
    )
    load("pairings", [{"户编号": inside.household_no, "干部编号": "GB1", "结对日期": "2022-01-01"}])
    year = datetime.date.today().year
    load(
        "plans",
        [
            {
                "户编号": inside.household_no,
                "年度": str(year),
                "帮扶措施": "产业扶持",
                "责任人干部编号": "GB1",
                "计划投入（元）": "3000",
                "措施状态": "实施中",
            },
            {
                "户编号": inside.household_no,
                "年度": str(year),
                "帮扶措施": "健康扶贫（医疗救助、先诊疗后付费）",
                "责任人干部编号": "GB1",
                "计划投入（元）": "800",
            },
        ],
    )
    load(
        "visits",
        [
            {
                "户编号": inside.household_no,
                "干部编号": "GB1",
                "走访日期": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
                "走访记录": "了解务工情况",
            }
        ],
    )
    return w
