"""Printable documents of the exit room: the county exit dossier and the enumerators' list as
PDF (WeasyPrint with a CJK font, as the procedure notices), the list as XLSX."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string

from lantu.exits.models import Assessment
from lantu.exits.queries import sample_rows
from lantu.procedures.pdf import FontMissing, require_cjk_font

STRATUM_ZH = ("已脱贫户", "未脱贫户", "非建档立卡户")


def pdf(template: str, context: dict[str, Any]) -> bytes:
    font = require_cjk_font()
    try:
        from weasyprint import HTML
    except OSError as exc:
        raise FontMissing("缺少 pango 库，无法生成PDF", "the pango libraries are missing") from exc
    return bytes(HTML(string=render_to_string(template, context | {"font": font})).write_pdf())


def list_rows(a: Assessment) -> list[dict[str, Any]]:
    """The enumerators' list: no ID numbers or phones, only what finds the household."""
    out = []
    for s in sample_rows(a):
        hh = s.household
        out.append({
            "code": s.code, "village": s.village.village.name, "stratum": STRATUM_ZH[s.stratum],
            "household_no": hh.household_no if hh else "",
            "head": hh.head_name if hh else "",
            "roster": s.roster_position or "",
        })  # fmt: skip
    return out


def list_xlsx(a: Assessment) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("调查户名单")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    cols = [("code", "样本编号"), ("village", "行政村"), ("stratum", "户类别"),
            ("household_no", "户编号"), ("head", "户主"),
            ("roster", "户籍名册序号（非建档户）")]  # fmt: skip
    sheet.write_row(0, 0, [zh for _k, zh in cols], head)
    for i, row in enumerate(list_rows(a), start=1):
        sheet.write_row(i, 0, [row[k] for k, _zh in cols])
    sheet.set_column(0, len(cols), 16)
    book.close()
    return buf.getvalue()
