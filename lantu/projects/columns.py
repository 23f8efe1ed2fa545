"""The layouts of the project room's Excel files, declared once: they drive the import templates
(``lantu.registry.template``, with its drop-downs and notes), the reader and the row checks
(``lantu.registry.reader``/``validate``, given these columns) and the exports.

Amounts are declared as text (``str``) and read by ``lantu.projects.imports.yuan_column`` into
whole fen, exactly: the registry's ``money`` kind reads a float, which money here must never be.
"""

from __future__ import annotations

from lantu.projects import codes
from lantu.registry.columns import Column

Y = "金额（元），最多两位小数 / yuan, at most two decimals"


def C(
    name: str,
    zh: str,
    en: str,
    kind: str = "str",
    required: bool = False,
    codes_: codes.CodeList | None = None,
    note: str = "",
) -> Column:
    return Column(name, zh, en, "record", kind, required, codes_, note)  # type: ignore[arg-type]


PROJECT_CODE = C("project_code", "项目编号", "project number", required=True)
HOUSEHOLD_NO = C("household_no", "户编号", "household number", required=True)
SOURCE = C("source", "资金来源", "fund source", "code", True, codes.SOURCE)
YEAR = C("year", "年度", "year", "int", True)

PROJECTS: tuple[Column, ...] = (
    C("code", "项目编号", "project number", required=True, note="县内唯一 / unique"),
    C("name", "项目名称", "project name", required=True),
    C("category", "项目类别", "category", "code", True, codes.CATEGORY),
    C("county_code", "县代码", "county code", required=True, note="12位区划代码 / 12 digits"),
    C(
        "areas",
        "实施乡镇或村代码",
        "townships or villages served",
        required=True,
        note="多个代码用顿号或逗号分隔 / several codes separated by 、 or ,",
    ),
    C("year", "计划年度", "plan year", "int", True),
    C("planned_amount", "计划投资（元）", "planned amount", note=Y),
    C("implementer", "实施单位", "implementer"),
    C("start_date", "计划开工日期", "start date", "date"),
    C("end_date", "计划完工日期", "end date", "date"),
    C("funds_plan", "定资金", "funds (six fixes)"),
    C("plan", "定计划", "plan (six fixes)"),
    C("approval_doc", "定审批（批复文号）", "approval document (six fixes)"),
    C("notice_plan", "定公示", "public notice (six fixes)"),
    C("responsible_unit", "定责任（责任单位）", "responsible unit (six fixes)"),
    C("responsible_person", "定责任（责任人）", "responsible person (six fixes)"),
    C("supervision", "定监管考核内容", "supervision and assessment (six fixes)"),
    C(
        "stage",
        "项目阶段",
        "stage",
        "code",
        False,
        codes.STAGE,
        note="新项目留空（申报）；历史项目填其所处阶段 / blank for a new project",
    ),
    C("notice_date", "公示开始日期", "notice date", "date"),
    C("completed_date", "完工日期", "completion date", "date"),
    C("accepted_date", "验收日期", "acceptance date", "date"),
)

BENEFICIARIES: tuple[Column, ...] = (
    PROJECT_CODE,
    HOUSEHOLD_NO,
    C("mechanism", "利益联结方式", "benefit mechanism", "code", True, codes.MECHANISM),
    C("expected_amount", "预计年增收（元）", "expected yearly gain", note=Y),
)

FUNDS: tuple[Column, ...] = (
    C("county_code", "县代码", "county code", required=True),
    SOURCE,
    YEAR,
    C("amount", "可用金额（元）", "amount available", required=True, note=Y),
    C("document", "下达文号", "allocation document"),
)

ALLOCATIONS: tuple[Column, ...] = (
    PROJECT_CODE,
    SOURCE,
    YEAR,
    C("amount", "安排金额（元）", "amount allocated", required=True, note=Y),
)

DISBURSEMENTS: tuple[Column, ...] = (
    PROJECT_CODE,
    HOUSEHOLD_NO,
    C("voucher", "凭证号", "voucher number", required=True, note="项目内唯一 / unique per project"),
    C("item", "补助事项", "item"),
    C("payee_name", "收款人", "payee"),
    C("payee_id_number", "收款人身份证号", "payee ID number"),
    C("bank_account", "银行账号", "bank account"),
    C("amount", "金额（元）", "amount", required=True, note=Y),
    C("date", "发放日期", "payment date", "date", True),
)
