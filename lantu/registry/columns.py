"""The registry's flat layout: one row per member, household and yearly columns repeated on each
member's row (the 花名册 layout counties keep in Excel). One declaration drives the import template,
the importer, the exporter, the simulator's observed registry and the engine snapshot.

On import, household and yearly columns may be left blank on every row but the head's; where they
are filled on several rows of one household, they must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lantu.registry import codes

# "record": a table of one record a row (the assistance room's units, cadres, visits …).
Level = Literal["household", "member", "year", "record"]
Kind = Literal["str", "code", "int", "money", "decimal", "bool", "date", "id_number"]


@dataclass(frozen=True)
class Column:
    name: str  # canonical name == model field name
    zh: str
    en: str
    level: Level
    kind: Kind
    required: bool = False
    codes: codes.CodeList | None = None
    note: str = ""


C = Column
HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    C(
        "household_no",
        "户编号",
        "household number",
        "household",
        "str",
        True,
        note="县内唯一；同一户各成员行相同 / unique in the county; the same on every member row",
    ),
    C(
        "region_code",
        "村（组）代码",
        "village or group code",
        "household",
        "str",
        True,
        note="12位统计用区划代码（村民小组15位） / 12-digit village code (15 for a villager group)",
    ),
    C(
        "household_type",
        "贫困户属性",
        "household type",
        "household",
        "code",
        True,
        codes.HOUSEHOLD_TYPE,
    ),
    C("registration_year", "识别年度", "registration year", "household", "int"),
    C("status", "户状态", "status", "household", "code", True, codes.STATUS),
    C(
        "monitoring_type",
        "监测对象类别",
        "monitoring type",
        "household",
        "code",
        False,
        codes.MONITORING_TYPE,
    ),
    C("exit_year", "脱贫年度", "exit year", "household", "int"),
    C("planned_exit_year", "计划脱贫年度", "planned exit year", "household", "int"),
    C("relocated", "是否易地搬迁", "relocated", "household", "bool"),
    C("address", "住址", "address", "household", "str"),
    C("phone", "联系电话", "phone", "household", "str"),
    C("bank_account", "银行账号", "bank account", "household", "str"),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    C("name", "姓名", "name", "member", "str", True),
    C(
        "id_number",
        "身份证号",
        "ID number",
        "member",
        "id_number",
        True,
        note="18位（15位旧号自动升位） / 18 characters (15-digit legacy numbers are upgraded)",
    ),
    C(
        "sex",
        "性别",
        "sex",
        "member",
        "code",
        False,
        codes.SEX,
        note="可留空，由身份证号推算 / may be blank: derived from the ID number",
    ),
    C(
        "birth_date",
        "出生日期",
        "birth date",
        "member",
        "date",
        note="可留空，由身份证号推算 / may be blank: derived from the ID number",
    ),
    C("relation", "与户主关系", "relation to head", "member", "code", True, codes.RELATION),
    C("ethnicity", "民族", "ethnic group", "member", "code", False, codes.ETHNICITY),
    C("education", "文化程度", "education", "member", "code", False, codes.EDUCATION),
    C("schooling", "在校生状况", "schooling", "member", "code", False, codes.SCHOOLING),
    C("health", "健康状况", "health", "member", "code", False, codes.HEALTH),
    C("disability_grade", "残疾等级", "disability grade", "member", "int"),
    C("labour", "劳动能力", "labour capacity", "member", "code", False, codes.LABOUR),
    C("work", "务工状况", "work status", "member", "code", False, codes.WORK),
    C("work_months", "务工时间（月）", "months worked away", "member", "int"),
    C("dibao", "是否低保", "minimum living allowance", "member", "bool"),
    C("tekun", "是否特困供养", "extreme-poverty support", "member", "bool"),
    C("medical_insurance", "基本医疗保险", "basic medical insurance", "member", "bool"),
    C("serious_illness_insurance", "大病保险", "serious-illness insurance", "member", "bool"),
    C("medical_assistance", "医疗救助", "medical assistance", "member", "bool"),
    C("pension_insurance", "养老保险", "pension insurance", "member", "bool"),
    C("member_phone", "本人电话", "member phone", "member", "str"),
    C(
        "left_reason",
        "减员原因",
        "reason for leaving",
        "member",
        "str",
        note="填写则该成员不再在户（死亡、婚出、迁出） / filled: the member has left (death, move)",
    ),
    C(
        "left_year",
        "减员年度",
        "year left",
        "member",
        "int",
        note="减员发生的年度；留空取导入当年 / the year the member left; blank: this year",
    ),
)

YEAR_COLUMNS: tuple[Column, ...] = (
    C(
        "year",
        "年度",
        "year",
        "year",
        "int",
        note="填写任一年度信息时必填 / required with any yearly value",
    ),
    C(
        "size",
        "家庭人口",
        "household size",
        "year",
        "int",
        note="该年度的家庭人口；可留空，取当前在户人数 / that year's size; blank: current members",
    ),
    C("wage_income", "工资性收入", "wage income", "year", "money"),
    C("business_income", "家庭经营性收入", "business income", "year", "money"),
    C("property_income", "财产性收入", "property income", "year", "money"),
    C("transfer_income", "转移性收入", "transfer income", "year", "money"),
    C(
        "total_income",
        "家庭总收入",
        "total income",
        "year",
        "money",
        note="可留空，自动求和；填写则须等于四项之和 / may be blank; if filled must equal the sum",
    ),
    C("production_cost", "生产经营费用支出", "production costs", "year", "money"),
    C("medical_out_of_pocket", "医疗自付支出", "medical out-of-pocket", "year", "money"),
    C("education_expense", "教育支出", "education expense", "year", "money"),
    C("housing_area", "住房面积", "housing area (m²)", "year", "decimal"),
    C(
        "housing_structure",
        "住房结构",
        "housing structure",
        "year",
        "code",
        False,
        codes.HOUSING_STRUCTURE,
    ),
    C("housing_built_year", "建房年份", "year built", "year", "int"),
    C(
        "housing_grade",
        "住房安全等级",
        "housing safety grade",
        "year",
        "code",
        False,
        codes.HOUSING_GRADE,
    ),
    C("relocation_keys", "搬迁入住", "relocation keys handed over", "year", "bool"),
    C("water_source", "饮水来源", "water source", "year", "code", False, codes.WATER_SOURCE),
    C(
        "water_litres_per_day",
        "人均日供水量（升）",
        "water litres per person per day",
        "year",
        "decimal",
    ),
    C("water_scarce_area", "缺水地区", "water-scarce area", "year", "bool"),
    C("water_quality_ok", "水质达标", "water quality acceptable", "year", "bool"),
    C("water_piped", "自来水入户", "piped to the home", "year", "bool"),
    C("water_trip_minutes", "取水往返时间（分钟）", "water trip minutes", "year", "int"),
    C("water_distance_m", "取水水平距离（米）", "water horizontal distance (m)", "year", "int"),
    C("water_vertical_m", "取水垂直距离（米）", "water vertical distance (m)", "year", "int"),
    C("water_outage_days", "年断水天数", "days without water a year", "year", "int"),
    C("electricity", "通生活用电", "household electricity", "year", "bool"),
    C("fuel", "主要燃料", "main fuel", "year", "code", False, codes.FUEL),
    C("market_distance_km", "距集市距离（公里）", "distance to market (km)", "year", "decimal"),
    C("road_hardened", "通硬化路", "hardened road", "year", "bool"),
    C("main_cause", "主要致贫原因", "main cause of poverty", "year", "code", False, codes.CAUSE),
    C("other_cause_1", "其他致贫原因1", "other cause 1", "year", "code", False, codes.CAUSE),
    C("other_cause_2", "其他致贫原因2", "other cause 2", "year", "code", False, codes.CAUSE),
)

COLUMNS: tuple[Column, ...] = HOUSEHOLD_COLUMNS + MEMBER_COLUMNS + YEAR_COLUMNS
BY_NAME = {c.name: c for c in COLUMNS}


def header_lookup(cols: tuple[Column, ...] = COLUMNS) -> dict[str, str]:
    """Every accepted header spelling (Chinese, English, canonical) → canonical name."""
    table: dict[str, str] = {}
    for c in cols:
        for spelling in (c.name, c.zh, c.en, c.en.lower()):
            table[spelling.strip()] = c.name
    return table
