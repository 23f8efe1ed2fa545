"""The precision report as text (the command), as rows (the admin page) and as an XLSX workbook.

One row per decision family (``lantu.precision.score.Family.row``); the workbook has a sheet of
families with its figures and the goals beside them, and a sheet of the reasons of the wrong and
the missed cases."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS = [
    ("family", "决策类别", "decision family"),
    ("zh", "名称", "name"),
    ("proposals", "提议户数", "proposed"),
    ("right", "其中正确", "right"),
    ("precision", "精确率", "precision"),
    ("truth", "真值户数", "truly called for"),
    ("found", "其中找到", "found"),
    ("recall", "召回率", "recall"),
]


BASE = [c[0] for c in COLUMNS] + ["wrong_reasons", "missed_reasons"]


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def text(rows: list[dict[str, Any]], year: int) -> str:
    lines = [f"精准度报告 / precision report {year}"]
    head = f"{'family':<34}{'proposed':>9}{'right':>8}{'P':>8}{'truth':>8}{'found':>8}{'R':>8}"
    lines.append(head)
    for r in rows:
        lines.append(
            f"{r['family']:<34}{r['proposals']:>9}{r['right']:>8}{fmt(r['precision']):>8}"
            f"{r['truth']:>8}{r['found']:>8}{fmt(r['recall']):>8}"
        )
        extra = {k: v for k, v in r.items() if k not in {c[0] for c in COLUMNS}
                 and k not in ("wrong_reasons", "missed_reasons")}  # fmt: skip
        if extra:
            lines.append("    " + ", ".join(f"{k}={fmt(v)}" for k, v in extra.items()))
        if r.get("wrong_reasons"):
            lines.append(f"    wrong: {r['wrong_reasons']}")
        if r.get("missed_reasons"):
            lines.append(f"    missed: {r['missed_reasons']}")
    return "\n".join(lines)


def workbook(rows: list[dict[str, Any]], year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"精准度{year}"
    extras = sorted({k for r in rows for k in r} - {c[0] for c in COLUMNS}
                    - {"wrong_reasons", "missed_reasons"})  # fmt: skip
    ws.append([f"{zh} / {en}" for _, zh, en in COLUMNS] + extras)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(k) for k, _, _ in COLUMNS] + [r.get(k) for k in extras])
    reasons = wb.create_sheet("原因 reasons")
    reasons.append(["决策类别 / family", "错误的原因 / wrong", "遗漏的原因 / missed"])
    for r in rows:
        reasons.append([r["family"], r.get("wrong_reasons", ""), r.get("missed_reasons", "")])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
