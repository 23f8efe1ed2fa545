"""The room's lists as XLSX (coverage and 六清, gaps, cadres and their loads, work teams): the same
scoped querysets as the pages, every personal value through the user's ``Masker``. A list longer
than ``MAX_ROWS`` is refused with a message asking for a narrower region."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.http import HttpResponse

from lantu.core.errors import ValidationFailed

MAX_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    ws.write_row(0, 0, list(headers), head)
    for i, row in enumerate(rows, start=1):
        if i > MAX_ROWS:
            book.close()
            raise ValidationFailed(
                f"超过{MAX_ROWS}行，请选择更小的区域后导出",
                f"more than {MAX_ROWS} rows: choose a smaller region",
            )
        ws.write_row(i, 0, ["" if v is None else str(v) for v in row])
    ws.set_column(0, len(headers), 16)
    ws.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()


def response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
