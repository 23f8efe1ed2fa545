"""Visit records from a spreadsheet (a cadre's paper list typed up, or an XLSForm export), on the
registry importer's contract and machinery: Chinese headers, drop-downs in the template, the
registry's spreadsheet reader (``lantu.registry.reader``: encrypted, truncated and damaged files
refused with a reason), every error of every row at once as ``RowError``s with the importer's
error workbook, all or nothing in one transaction, idempotent (a row already recorded the same
way changes nothing), and each recorded visit a ledger event through ``visits.record_visit``.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import xlsxwriter
from django.db import transaction

from lantu.core.errors import ImportRejected
from lantu.monitoring import catalogue, visits
from lantu.monitoring.models import Round
from lantu.registry.imports import ImportReport
from lantu.registry.reader import _cell, _spreadsheet_rows
from lantu.registry.validate import RowError

HEADERS = ("户编号", "走访日期", "见到的情况", "发现的风险", "需要的帮助")


def template(rnd: Round) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("走访记录")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    sheet.write_row(0, 0, HEADERS, head)
    risks = ["无", *[e.zh for e in catalogue.events().values()]]
    sheet.data_validation(1, 3, 5000, 3, {"validate": "list", "source": risks})
    sheet.data_validation(
        1, 1, 5000, 1, {"validate": "date", "criteria": ">=", "value": datetime.date(2021, 1, 1)}
    )
    for i, v in enumerate(rnd.visits.select_related("household").order_by("id"), start=1):
        sheet.write(i, 0, v.household.household_no)
    sheet.set_column(0, 4, 22)
    book.close()
    return buf.getvalue()


def _parse(rows: list[list[Any]], rnd: Round) -> tuple[list[dict[str, Any]], list[RowError]]:
    header = [_cell(v) for v in rows[0]]
    missing = [h for h in HEADERS[:3] if h not in header]
    if missing:
        raise ImportRejected(f"缺少列：{'、'.join(missing)}", f"missing columns: {missing}")
    col = {h: header.index(h) for h in HEADERS if h in header}
    by_no = {v.household.household_no: v for v in rnd.visits.select_related("household")}
    risks = {e.zh: e.code for e in catalogue.events().values()} | {"无": "", "": ""}
    needs = {n.zh: code for code, (n, _d) in catalogue.needs().items()}
    out, errors = [], []
    for i, raw in enumerate(rows[1:], start=2):
        cell = {h: _cell(raw[j]) if j < len(raw) else "" for h, j in col.items()}
        if not any(cell.values()):
            continue

        def err(h: str, zh: str, en: str, i: int = i, cell: dict[str, str] = cell) -> None:
            errors.append(RowError(i, h, cell.get(h, ""), zh, en))

        visit = by_no.get(cell["户编号"])
        if visit is None:
            err("户编号", "该户不在本轮排查名单中", "this household is not on the round's list")
        try:
            day = datetime.date.fromisoformat(cell["走访日期"])
        except ValueError:
            day = None
            err("走访日期", "日期格式应为2026-10-05", "a date is written 2026-10-05")
        if day and not rnd.start <= day <= rnd.end:
            err("走访日期", "日期不在本轮排查期内", "the date is outside the round")
        if not cell["见到的情况"]:
            err("见到的情况", "请填写看到的情况", "write what was seen")
        risk = risks.get(cell.get("发现的风险", ""))
        if risk is None:
            err("发现的风险", "请从下拉列表中选择", "choose from the drop-down list")
        wanted = [n for n in cell.get("需要的帮助", "").replace(";", "；").split("；") if n]
        if [n for n in wanted if n not in needs] or (risk and not wanted):
            err(
                "需要的帮助",
                "有风险时须填写需要的帮助，多项用“；”分隔，名称与模板一致",
                "with a risk, name the help needed, separated by ；, as in the template",
            )
        out.append(
            {
                "visit": visit,
                "day": day,
                "seen": cell["见到的情况"],
                "risk": risk or "",
                "needs": [needs[n] for n in wanted if n in needs],
            }
        )
    return out, errors


def import_visits(data: bytes, filename: str, *, actor: Any, rnd: Round) -> ImportReport:
    if not filename.lower().endswith((".xlsx", ".xlsm", ".ods", ".xls")):
        raise ImportRejected("请上传 .xlsx 文件", "upload an .xlsx file")
    rows = _spreadsheet_rows(data, filename)
    if not rows:
        raise ImportRejected("表格中没有内容", "the sheet has no content")
    parsed, errors = _parse(rows, rnd)
    report = ImportReport(source=filename, errors=errors)
    if errors:
        return report
    recorded = unchanged = 0
    with transaction.atomic():
        for p in parsed:
            v = p["visit"]
            if (v.visited_on, v.seen, v.risk) == (p["day"], p["seen"], p["risk"]):
                unchanged += 1
                continue
            visits.record_visit(
                actor=actor,
                visit_id=v.pk,
                seen=p["seen"],
                risk=p["risk"],
                needs=p["needs"],
                visited_on=p["day"],
            )
            recorded += 1
    report.summary = {"recorded": recorded, "unchanged": unchanged}
    return report
