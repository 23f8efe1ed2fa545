"""The registry import template (导入模板): a workbook a village cadre fills in Excel, WPS or
LibreOffice and uploads back. Sheet 登记表 has the Chinese headers in row 1 and the English ones in
row 2 (the importer recognises and skips that row), a drop-down list on every coded column (the
lists live on the sheet 代码表), and sheet 填表说明 explains every column."""

from __future__ import annotations

import io

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from lantu.registry.columns import COLUMNS, Column
from lantu.registry.reader import DATA_SHEET

ROWS_WITH_VALIDATION = 5000
LEVEL_ZH = {
    "household": "户（每户填一次即可）",
    "member": "成员（每人一行）",
    "year": "年度（每户填一次即可）",
    "record": "每行一条",
}


def write_template(
    example: bool = True,
    *,
    columns: tuple[Column, ...] = COLUMNS,
    sheet: str = DATA_SHEET,
    example_row: dict[str, str] | None = None,
    notes: list[tuple[str, str]] | None = None,
) -> bytes:
    """The registry's template, or another room's from its own column declaration, data sheet
    name, example row and instructions (the same layout, drop-downs and notes sheet)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = book.add_format(
        {
            "bold": True,
            "bg_color": "#1F4E78",
            "font_color": "#FFFFFF",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    required = book.add_format(
        {
            "bold": True,
            "bg_color": "#C00000",
            "font_color": "#FFFFFF",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    english = book.add_format({"italic": True, "font_color": "#595959", "bg_color": "#F2F2F2"})
    text = book.add_format({"num_format": "@"})
    data = book.add_worksheet(sheet)
    lists = book.add_worksheet("代码表")
    notes_sheet = book.add_worksheet("填表说明")
    for j, col in enumerate(columns):
        data.write(0, j, col.zh, required if col.required else head)
        data.write(1, j, col.en, english)
        data.set_column(
            j, j, max(10, len(col.zh) * 2 + 2), text if col.kind in ("str", "id_number") else None
        )
        if col.codes:
            lists.write(0, j, col.zh, head)
            for i, code in enumerate(col.codes, start=1):
                lists.write(i, j, code.zh)
            letter = xl_col_to_name(j)
            data.data_validation(
                2,
                j,
                ROWS_WITH_VALIDATION,
                j,
                {
                    "validate": "list",
                    "source": f"=代码表!${letter}$2:${letter}${len(col.codes) + 1}",
                    "error_title": "无效的值 invalid value",
                    "error_message": f"请从下拉列表选择{col.zh} / choose {col.en} from the list",
                },
            )
        elif col.kind == "bool":
            data.data_validation(
                2, j, ROWS_WITH_VALIDATION, j, {"validate": "list", "source": ["是", "否"]}
            )
    data.freeze_panes(2, 2)
    data.set_row(0, 32)
    if example and example_row is not None:
        for j, col in enumerate(columns):
            if col.name in example_row:
                data.write_string(2, j, example_row[col.name])
    elif example:
        _example_rows(data)
    _instructions(notes_sheet, head, columns, notes)
    lists.hide()
    book.close()
    return buf.getvalue()


def _example_rows(sheet: xlsxwriter.worksheet.Worksheet) -> None:
    """One illustrative household (a fictitious person) for the user to overwrite."""
    example = {
        "household_no": "示例-0001",
        "region_code": "530822100201",
        "household_type": "一般贫困户",
        "registration_year": "2014",
        "status": "贫困户",
        "name": "示例户主",
        "id_number": "530822196003050015",
        "sex": "男",
        "relation": "户主",
        "ethnicity": "哈尼族",
        "labour": "普通劳动力",
        "year": "2019",
        "wage_income": "5600",
        "production_cost": "500",
        "housing_grade": "B级（基本安全）",
        "main_cause": "缺技术",
    }
    for j, col in enumerate(COLUMNS):
        if col.name in example:
            sheet.write_string(2, j, example[col.name])


def _instructions(
    sheet: xlsxwriter.worksheet.Worksheet,
    head: xlsxwriter.format.Format,
    columns: tuple[Column, ...] = COLUMNS,
    notes: list[tuple[str, str]] | None = None,
) -> None:
    lines = (
        [*notes, ("", "")]
        if notes is not None
        else [
            (
                "填表说明",
                "How to fill in this template",
            ),
            (
                "1. 每名家庭成员一行；同一户的各行“户编号”相同。",
                "One row per member; rows of one household share its number.",
            ),
            (
                "2. 户和年度的信息只需在户主所在行填写一次；若多行都填写，必须一致。",
                "Household and yearly values: once per household; where repeated they must agree.",
            ),
            (
                "3. 红色表头为必填列。",
                "Red headers are required.",
            ),
            (
                "4. 有下拉列表的列请从列表中选择。",
                "Choose coded values from the drop-down lists.",
            ),
            (
                "5. 身份证号请设为文本格式，避免被Excel改写；15位旧号会自动升为18位。",
                "Keep ID numbers as text; 15-digit numbers are upgraded.",
            ),
            (
                "6. 出生日期、性别可留空，由身份证号推算；填写则须与身份证号一致。",
                "Birth date and sex may be blank (derived from the ID); if given, they must agree.",
            ),
            (
                "7. 家庭总收入可留空，自动等于四项收入之和。",
                "Total income may be blank: it is the sum of the four components.",
            ),
            (
                "8. 成员减员（死亡、迁出等）请在“减员原因”填写原因，不要删除该行。",
                "A member who left: give the reason in 减员原因; do not delete the row.",
            ),
            (
                "9. 第2行为英文表头，导入时自动跳过，可保留。",
                "Row 2 holds English headers and is skipped on import.",
            ),
            (
                "10. 任一行有错时整个文件不会导入，系统会给出全部错误清单。",
                "If any row is wrong nothing is imported, and you get the list of every error.",
            ),
            (
                "",
                "",
            ),
        ]
    )
    for i, (zh, en) in enumerate(lines):
        sheet.write(i, 0, zh)
        sheet.write(i, 1, en)
    sheet.set_column(0, 1, 70)
    start = len(lines)
    for j, title in enumerate(("列名", "column", "级别 level", "必填 required", "说明 notes")):
        sheet.write(start, j, title, head)
    for i, col in enumerate(columns, start=start + 1):
        options = "、".join(c.zh for c in col.codes) if col.codes else ""
        sheet.write_row(
            i,
            0,
            [
                col.zh,
                col.en,
                LEVEL_ZH[col.level],
                "是" if col.required else "",
                col.note or options,
            ],
        )
