"""Importing townships, villages and villager groups (counties and above ship with Lantu).

A file (XLSX or CSV) with the columns 代码/code, 名称/name, 层级/level, 类型/type,
上级代码/parent_code.
Levels may be written in Chinese (乡镇, 行政村, 村民小组) or as the English slugs. Every row is
checked before anything is written; the whole file is applied or none of it.
"""

from __future__ import annotations

import csv
import io
import re

from python_calamine import CalamineWorkbook

from lantu.core.errors import ImportRejected, ValidationFailed
from lantu.regions.models import LEVEL_ORDER, Level, Region
from lantu.regions.services import load_regions

HEADERS = {
    "代码": "code", "code": "code", "名称": "name", "name": "name", "层级": "level",
    "level": "level", "类型": "type", "type": "type", "上级代码": "parent_code",
    "parent_code": "parent_code",
}  # fmt: skip
LEVEL_NAMES = {
    "省": "province", "州市": "prefecture", "地级市": "prefecture", "自治州": "prefecture",
    "县市区": "county", "县": "county", "乡镇": "township", "乡": "township", "镇": "township",
    "街道": "township", "行政村": "village", "村": "village", "社区": "village",
    "村民小组": "group", "组": "group",
} | {lv.value: lv.value for lv in Level}  # fmt: skip
# Significant digits of a 12-digit code at each level (groups add 3 digits to their village's code).
PREFIX = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12, "group": 12}


def _rows(data: bytes, filename: str) -> list[list[str]]:
    if not data.strip():
        raise ImportRejected("文件是空的", "the file is empty")
    if filename.lower().endswith((".xlsx", ".xls", ".ods")):
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            return [[str(v).strip() for v in r] for r in sheet.to_python()]
        except Exception as exc:
            raise ImportRejected("无法读取该表格文件", "cannot read this spreadsheet") from exc
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return [[c.strip() for c in r] for r in csv.reader(io.StringIO(data.decode(enc)))]
        except UnicodeDecodeError:
            continue
    raise ImportRejected("无法识别文件编码", "cannot tell the file's encoding (use UTF-8)")


def read_region_file(data: bytes, filename: str) -> list[dict[str, str]]:
    rows = [r for r in _rows(data, filename) if any(r)]
    if not rows:
        raise ImportRejected("文件中没有内容", "the file has no content")
    names = [HEADERS.get(h) for h in rows[0]]
    for required in ("code", "name", "level", "parent_code"):
        if required not in names:
            raise ImportRejected(f"缺少列“{required}”", f"column '{required}' is missing")
    out = []
    for r in rows[1:]:
        rec = {n: (r[i] if i < len(r) else "") for i, n in enumerate(names) if n}
        rec["level"] = LEVEL_NAMES.get(rec["level"], rec["level"])
        out.append(rec)
    return out


def check_rows(rows: list[dict[str, str]]) -> list[str]:
    """Codes of the right shape, levels that exist, and a parent one level up whose code prefixes
    the child's."""
    known = dict(Region.objects.values_list("code", "level"))
    incoming = {r["code"]: r["level"] for r in rows}
    problems = []
    for line, r in enumerate(rows, start=2):
        code, level, parent = r["code"], r["level"], r.get("parent_code", "")
        where = f"第{line}行 row {line} ({code})"
        if level not in LEVEL_ORDER:
            problems.append(f"{where}: 层级“{level}”无效 / unknown level '{level}'")
            continue
        if not re.fullmatch(r"\d{15}" if level == "group" else r"\d{12}", code):
            problems.append(
                f"{where}: 代码应为{15 if level == 'group' else 12}位数字 / bad code length"
            )
            continue
        parent_level = known.get(parent) or incoming.get(parent)
        if parent_level is None:
            problems.append(f"{where}: 上级{parent}不存在 / parent {parent} does not exist")
        elif LEVEL_ORDER.index(parent_level) != LEVEL_ORDER.index(level) - 1:
            problems.append(f"{where}: 上级层级应为上一级 / the parent must be one level up")
        elif not code.startswith(parent[: PREFIX[parent_level]]):
            problems.append(
                f"{where}: 代码与上级{parent}不符 / code does not start with its parent's"
            )
    return problems


def import_regions(data: bytes, filename: str) -> int:
    rows = read_region_file(data, filename)
    problems = check_rows(rows)
    if problems:
        shown = problems[:50]
        raise ValidationFailed("\n".join(p.split(" / ")[0] for p in shown), "\n".join(shown))
    return load_regions(rows)
