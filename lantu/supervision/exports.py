"""The reconciliation's workbook: every discrepancy in scope (with its check, explanation and
evidence; no personal data is ever in a discrepancy record), and the rates per village, township
and county. Written through ``lantu.core.xlsx`` (formula-like cells neutralised)."""

from __future__ import annotations

import io
import json

from lantu.core.xlsx import workbook
from lantu.regions.models import Region
from lantu.supervision import checks, reconcile
from lantu.supervision.models import Discrepancy

LEVELS = ("county", "township", "village")


def _names(paths: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(path__in=paths).values_list("path", "name"))


def discrepancies_xlsx(region_path: str, *, english: bool = False) -> bytes:
    cat = checks.catalogue()
    buf = io.BytesIO()
    book = workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("账账不符" if not english else "discrepancies")
    head = (
        [
            "check",
            "explanation",
            "state",
            "year",
            "region",
            "household id",
            "project id",
            "evidence",
            "first found",
        ]
        if english
        else ["核对项", "说明", "状态", "年度", "地区", "户ID", "项目ID", "证据", "首次发现"]
    )
    sheet.write_row(0, 0, head, bold)
    rows = Discrepancy.objects.filter(region_path__startswith=region_path).order_by(
        "check_id", "id"
    )
    rows_list = list(rows)
    names = _names({d.region_path for d in rows_list})
    for i, d in enumerate(rows_list, start=1):
        check = cat.checks.get(d.check_id)
        sheet.write_row(
            i,
            0,
            [
                check.label(english) if check else d.check_id,
                check.explanation(english) if check else "",
                d.get_state_display() if not english else d.state,
                d.year,
                names.get(d.region_path, d.region_path),
                d.household_id or "",
                d.project_id or "",
                json.dumps(d.evidence, ensure_ascii=False),
                d.first_found.strftime("%Y-%m-%d %H:%M"),
            ],
        )
    for level in LEVELS:
        rates = reconcile.rates(level, region_path)
        names = _names({r.path for r in rates})
        s = book.add_worksheet(
            level if english else {"county": "县", "township": "乡镇", "village": "村"}[level]
        )
        s.write_row(
            0,
            0,
            ["unit", "households", "households with a discrepancy", "rate", "discrepancies"]
            if english
            else ["单位", "户数", "有账账不符的户", "比例", "账账不符条数"],
            bold,
        )
        for i, r in enumerate(rates, start=1):
            s.write_row(
                i,
                0,
                [
                    names.get(r.path, r.path),
                    r.households,
                    r.with_discrepancy,
                    round(r.rate, 4),
                    r.discrepancies,
                ],
            )
    book.close()
    return buf.getvalue()
