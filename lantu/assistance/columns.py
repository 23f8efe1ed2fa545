"""The assistance room's import tables, declared once with the registry's ``Column`` (Chinese
header, English header, kind, required, code list): one declaration drives the Excel template
(drop-downs, notes), the reader, the checks and the simulator's files. One record a row; a plan
is one row per measure, a work team one row per member (plan and team values repeated)."""

from __future__ import annotations

from dataclasses import dataclass

from lantu.assistance import codes
from lantu.registry.columns import Column

C = Column


def _c(name: str, zh: str, en: str, kind: str, required: bool = False, **kw: object) -> Column:
    return C(name, zh, en, "record", kind, required, **kw)  # type: ignore[arg-type]


UNIT = (
    _c("unit_code", "单位编码", "unit code", "str", True),
    _c("unit_name", "单位名称", "unit name", "str", True),
    _c("unit_level", "单位层级", "unit level", "code", True, codes=codes.UNIT_LEVEL),
    _c(
        "region_code",
        "帮扶县村代码",
        "paired county or village code",
        "str",
        note="留空：只登记单位 / blank: the unit only",
    ),
    _c("kind", "帮扶方式", "assistance kind", "code", codes=codes.PAIRING_KIND),
    _c("start_date", "帮扶开始日期", "pairing start", "date"),
    _c("end_date", "帮扶结束日期", "pairing end", "date"),
)
CADRE = (
    _c("cadre_no", "干部编号", "cadre number", "str", True),
    _c("name", "姓名", "name", "str", True),
    _c("id_number", "身份证号", "ID number", "id_number", True),
    _c("unit_code", "单位编码", "unit code", "str"),
    _c("post", "职务", "post", "str"),
    _c("level", "干部层级", "cadre level", "code", True, codes=codes.CADRE_LEVEL),
    _c("phone", "联系电话", "phone", "str"),
    _c("region_code", "帮扶区域代码", "region served (code)", "str", True),
    _c("active", "在岗", "active", "bool"),
)
TEAM = (
    _c("village_code", "驻村代码", "village code", "str", True),
    _c("term_start", "任期开始", "term start", "date", True),
    _c("term_end", "任期结束", "term end", "date"),
    _c("unit_code", "派出单位编码", "sending unit code", "str"),
    _c("cadre_no", "干部编号", "cadre number", "str", True),
    _c("role", "队内职务", "role on the team", "code", True, codes=codes.TEAM_ROLE),
    _c("start_date", "到岗日期", "joined", "date", note="留空：任期开始 / blank: the term start"),
    _c("end_date", "离岗日期", "left", "date"),
    _c("end_reason", "离岗原因", "reason for leaving", "code", codes=codes.LEAVE_REASON),
)
PAIRING = (
    _c("household_no", "户编号", "household number", "str", True),
    _c("cadre_no", "干部编号", "cadre number", "str", True),
    _c("start_date", "结对日期", "paired on", "date", True),
    _c("end_date", "解除日期", "ended on", "date"),
    _c("end_reason", "解除原因", "reason it ended", "str"),
)
PLAN = (
    _c("household_no", "户编号", "household number", "str", True),
    _c("year", "年度", "year", "int", True),
    _c("planned_exit_year", "计划脱贫年度", "planned exit year", "int"),
    _c("planned_risk_elimination", "计划风险消除日期", "planned risk elimination", "date"),
    _c("measure", "帮扶措施", "measure", "code", True, codes=codes.measure_codes()),
    _c("cadre_no", "责任人干部编号", "responsible cadre number", "str"),
    _c("planned_amount", "计划投入（元）", "planned amount (yuan)", "money"),
    _c("actual_amount", "实际投入（元）", "actual amount (yuan)", "money"),
    _c("planned_date", "计划完成日期", "planned date", "date"),
    _c("actual_date", "实际完成日期", "actual date", "date"),
    _c("status", "措施状态", "measure status", "code", codes=codes.MEASURE_STATUS),
    _c(
        "asset",
        "所得资产",
        "asset received",
        "code",
        codes=codes.ASSET,
        note="留空取措施目录所定 / blank: as the catalogue says",
    ),
)
VISIT = (
    _c("household_no", "户编号", "household number", "str", True),
    _c("cadre_no", "干部编号", "cadre number", "str", True),
    _c("date", "走访日期", "visit date", "date", True),
    _c("kind", "走访方式", "visit kind", "code", codes=codes.VISIT_KIND),
    _c("notes", "走访记录", "notes", "str"),
    _c("changes", "情况变化", "what changed", "str"),
)


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    sheet: str
    example: dict[str, str]


TABLES: dict[str, Table] = {
    "units": Table(
        "units",
        "帮扶单位",
        "assistance units",
        UNIT,
        "帮扶单位",
        {
            "unit_code": "DW0001",
            "unit_name": "示例省直单位",
            "unit_level": "省级单位",
            "region_code": "530822000000",
            "kind": "定点帮扶",
            "start_date": "2016-01-01",
        },
    ),
    "cadres": Table(
        "cadres",
        "帮扶责任人",
        "cadres",
        CADRE,
        "帮扶责任人",
        {
            "cadre_no": "GB0001",
            "name": "示例干部",
            "id_number": "530822198001010016",
            "unit_code": "DW0001",
            "level": "县级干部",
            "phone": "13800000000",
            "region_code": "530822100201",
            "active": "是",
        },
    ),
    "teams": Table(
        "teams",
        "驻村工作队",
        "work teams",
        TEAM,
        "驻村工作队",
        {
            "village_code": "530822100201",
            "term_start": "2021-05-01",
            "term_end": "2023-04-30",
            "cadre_no": "GB0001",
            "role": "第一书记",
        },
    ),
    "pairings": Table(
        "pairings",
        "结对帮扶",
        "pairings",
        PAIRING,
        "结对帮扶",
        {"household_no": "示例-0001", "cadre_no": "GB0001", "start_date": "2021-06-01"},
    ),
    "plans": Table(
        "plans",
        "一户一策",
        "household plans",
        PLAN,
        "一户一策",
        {
            "household_no": "示例-0001",
            "year": "2025",
            "planned_exit_year": "",
            "measure": "产业扶持",
            "cadre_no": "GB0001",
            "planned_amount": "3000",
            "planned_date": "2025-10-31",
            "status": "计划",
        },
    ),
    "visits": Table(
        "visits",
        "走访记录",
        "visits",
        VISIT,
        "走访记录",
        {
            "household_no": "示例-0001",
            "cadre_no": "GB0001",
            "date": "2025-03-15",
            "kind": "入户走访",
            "notes": "了解产业进展",
        },
    ),
}

NOTES = [
    ("填表说明", "How to fill in this template"),
    (
        "1. 每行一条记录；一户一策每项措施一行，同一户同一年度的各行计划信息相同。",
        "One record a row; a plan has one row per measure, its plan values repeated.",
    ),
    (
        "2. 红色表头为必填列；有下拉列表的列请从列表中选择。",
        "Red headers are required; choose coded values from the drop-down lists.",
    ),
    ("3. 身份证号、编号请设为文本格式。", "Keep ID numbers and numbers as text."),
    (
        "4. 任一行有错时整个文件不会导入，系统会给出全部错误清单；重复导入同一文件不会重复写入。",
        "If any row is wrong nothing is imported and every error is listed; importing the same "
        "file again writes nothing new.",
    ),
]
