"""The one way Lantu writes a workbook: xlsxwriter, with every text cell that a spreadsheet could
take for a formula neutralised.

A value such as ``=HYPERLINK("http://evil","click")`` typed into an import file comes back in the
error workbook; written with xlsxwriter's ``write`` it becomes a live formula (CSV/formula
injection). Every workbook Lantu writes is made with ``workbook()``, whose sheets write any string
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a *text* cell with
Excel's quote prefix (the invisible apostrophe of ``'=1+1``): the cell shows exactly the value,
Excel, WPS and LibreOffice never evaluate it, and the value read back is the one written, so an
exported file re-imports unchanged. Numbers stay numbers; only ``write_formula`` writes a formula,
on purpose.

    from lantu.core.xlsx import workbook
    book = workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("清单")
    sheet.write_row(0, 0, values)      # strings neutralised, numbers kept
"""

from __future__ import annotations

from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet, convert_cell_args

RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def risky(value: object) -> bool:
    """True for a string that a spreadsheet could read as a formula (or a DDE command)."""
    return isinstance(value, str) and value.startswith(RISKY_START)


class SafeWorkbook(xlsxwriter.Workbook):
    """A Workbook whose sheets are ``SafeWorksheet``; remembers each format's properties so that
    a quote-prefixed twin can be made for a risky cell written in that format."""

    def __init__(self, target: str | IO[bytes], options: dict[str, Any] | None = None) -> None:
        self._properties: dict[int, dict[str, Any]] = {}  # set first: __init__ adds a format
        self._quoted: dict[int | None, Format] = {}
        super().__init__(target, options or {})

    def add_format(self, properties: dict[str, Any] | None = None) -> Format:
        fmt = super().add_format(properties)
        self._properties[id(fmt)] = dict(properties or {})
        return fmt

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Worksheet:
        sheet = super().add_worksheet(name, worksheet_class=worksheet_class or SafeWorksheet)
        if isinstance(sheet, SafeWorksheet):
            sheet.book = self
        return sheet

    def quoted(self, fmt: Format | None) -> Format:
        key = None if fmt is None else id(fmt)
        if key not in self._quoted:
            props = {} if key is None else self._properties.get(key, {})
            self._quoted[key] = self.add_format({**props, "quote_prefix": True})
        return self._quoted[key]


class SafeWorksheet(Worksheet):
    """Strings are written as text, risky ones with the quote prefix; never as formulas."""

    book: SafeWorkbook | None = None

    @convert_cell_args
    def write(self, row: Any, col: Any, *args: Any) -> int:
        value = args[0] if args else None
        if isinstance(value, str):
            return self.write_string(row, col, value, *args[1:])
        return int(super().write(row, col, *args))

    @convert_cell_args
    def write_string(self, row: Any, col: Any, string: str, cell_format: Any = None) -> int:
        if risky(string) and self.book is not None:
            cell_format = self.book.quoted(cell_format)
        return int(super().write_string(row, col, string, cell_format))

    @convert_cell_args
    def write_row(self, row: Any, col: Any, data: Any, cell_format: Any = None) -> int:
        for i, value in enumerate(data):
            self.write(row, col + i, value, cell_format)
        return 0


def workbook(target: str | IO[bytes], options: dict[str, Any] | None = None) -> SafeWorkbook:
    """A new workbook whose every sheet neutralises formula-like text (see the module doc)."""
    return SafeWorkbook(target, options)
