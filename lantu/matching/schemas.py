"""Declared schemas of the departments' datasets (部门数据), one place.

Each dataset names its department and its columns. Every dataset has the same *person* columns,
whatever a department calls them: ``id_number``, ``name`` and, where the department keeps them,
``birth_date``, ``sex``, ``region_code``; headers are matched by their canonical name, the
simulator's name (``owner_id_number``, ``legal_rep_name`` …) or the Chinese header. The remaining
columns are the dataset's *facts* (a vehicle's price, a bill's out-of-pocket cost), typed, stored
with the record and read by ``lantu.matching.facts`` to derive the ruler's linked variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext_lazy as _

from lantu.core.errors import ValidationFailed

Kind = Literal["str", "int", "money", "date", "bool"]


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    kind: Kind = "str"
    required: bool = False
    aliases: tuple[str, ...] = ()
    en: str = ""  # the English label (pages and the API in English)


@dataclass(frozen=True)
class Dataset:
    slug: str
    zh: str
    en: str
    department_zh: str
    department_en: str
    facts: tuple[Field, ...] = ()
    # Simulator/department header → canonical person column (id_number, name, …).
    person_aliases: dict[str, str] = field(default_factory=dict)
    # A fact that tells where the person is when the department gives no region code (a
    # property's county): the probabilistic pass compares places with it.
    place: str = ""
    # The records are about households, through their heads (a disaster report): the
    # probabilistic pass compares them with household heads and household sizes.
    household: bool = False

    @property
    def phone(self) -> bool:
        """The records carry a contact phone (fact ``phone``): the probabilistic pass compares
        it with the registry's (the member's own, else the household's)."""
        return any(f.name == "phone" for f in self.facts)

    @property
    def fields(self) -> tuple[Field, ...]:
        person = tuple(
            Field(f.name, f.zh, f.kind, f.required, f.aliases + self._aliases_of(f.name))
            for f in PERSON
        )
        return person + self.facts

    def _aliases_of(self, name: str) -> tuple[str, ...]:
        return tuple(k for k, v in self.person_aliases.items() if v == name)

    def header_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.fields:
            for key in (f.name, f.zh, *f.aliases):
                out[key] = f.name
                out[key.lower()] = f.name
        return out


F = Field
PERSON: tuple[Field, ...] = (
    F("record_id", "记录编号", "str", True, ("记录号", "编号"), en="record number"),
    F("id_number", "身份证号", "str", False, ("公民身份号码", "证件号码"), en="ID number"),
    F("name", "姓名", "str", True, en="name"),
    F("birth_date", "出生日期", "date", en="birth date"),
    F("sex", "性别", "str", en="sex"),
    F(
        "region_code",
        "区划代码",
        "str",
        False,
        ("hukou_region_code", "户籍地区划代码"),
        en="region code",
    ),
)

_OWNER = {"owner_id_number": "id_number", "owner_name": "name"}
DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        Dataset(
            "public_security",
            "户籍人口",
            "household registration",
            "公安",
            "public security",
            (
                F("hukou_status", "户籍状态", en="household registration status"),
                F("death_date", "死亡日期", "date", en="date of death"),
                F("hukou_no", "户号", en="household register number"),
            ),
        ),
        Dataset(
            "kinship",
            "户籍亲属关系",
            "kinship (household registration)",
            "公安",
            "public security",
            (
                F("relative_id_number", "亲属身份证号", en="relative's ID number"),
                F("relative_name", "亲属姓名", en="relative's name"),
                F("relation", "亲属关系", en="relation"),
            ),
        ),
        Dataset(
            "vehicles",
            "机动车登记",
            "vehicle registration",
            "公安交管",
            "traffic police",
            (
                F("plate_no", "号牌号码", en="plate number"),
                F("vehicle_type", "车辆类型", en="vehicle type"),
                F("registered_year", "登记年度", "int", en="year registered"),
                F("purchase_price", "购置价", "money", en="purchase price"),
                # 机动车登记 (公安部令第164号): the owner's contact phone (linkage evidence)
                F(
                    "phone",
                    "机动车所有人联系电话",
                    aliases=("owner_phone", "联系电话"),
                    en="owner's contact phone",
                ),
            ),
            # the owner's address (住所地址) as a region code: the hukou village
            {**_OWNER, "住所地址区划代码": "region_code"},
        ),
        Dataset(
            "real_estate",
            "不动产登记",
            "real estate",
            "自然资源",
            "natural resources",
            (
                F("property_type", "房屋类型", en="property type"),
                F("location_county", "坐落县区", en="county of the property"),
                F("floor_area", "建筑面积", "money", en="floor area"),
                F("registered_year", "登记年度", "int", en="year registered"),
                F("price", "价格", "money", en="price"),
                # 不动产登记申请审批表: the applicant's contact phone (linkage evidence)
                F(
                    "phone",
                    "申请人联系电话",
                    aliases=("owner_phone", "联系电话"),
                    en="applicant's contact phone",
                ),
            ),
            _OWNER,
            place="location_county",
        ),
        Dataset(
            "business",
            "市场主体登记",
            "business registration",
            "市场监管",
            "market regulation",
            (
                F("company_name", "企业名称", en="company name"),
                F("registered_year", "成立年度", "int", en="year founded"),
                F("registered_capital", "注册资本", "money", en="registered capital"),
                F("status", "登记状态", en="registration status"),
                # the legal representative's mobile (linkage evidence)
                F(
                    "phone",
                    "法定代表人移动电话",
                    aliases=("legal_rep_phone", "移动电话"),
                    en="legal representative's mobile",
                ),
            ),
            {"legal_rep_id_number": "id_number", "legal_rep_name": "name"},
        ),
        Dataset(
            "public_employees",
            "财政供养人员",
            "public employees",
            "组织人社",
            "personnel office",
            (
                F("employer_type", "单位类型", en="employer type"),
                F("start_year", "入职年度", "int", en="year employed"),
            ),
        ),
        Dataset(
            "medical_bills",
            "医疗费用结算",
            "medical bills",
            "医保",
            "medical insurance",
            (
                F("year", "年度", "int", en="year"),
                F("inpatient", "住院", "bool", en="inpatient"),
                F("total_cost", "总费用", "money", en="total cost"),
                F("reimbursed", "报销金额", "money", en="reimbursed"),
                F("out_of_pocket", "个人自付", "money", en="out of pocket"),
            ),
        ),
        Dataset(
            "school_enrolment",
            "学籍",
            "school enrolment",
            "教育",
            "education",
            (F("year", "学年", "int", en="school year"), F("level", "学段", en="school level")),
            {"student_id_number": "id_number", "student_name": "name"},
        ),
        Dataset(
            "disability_certificates",
            "残疾人证",
            "disability certificates",
            "残联",
            "disabled persons' federation",
            (
                F("grade", "残疾等级", "int", en="disability grade"),
                F("issue_year", "发证年度", "int", en="year issued"),
            ),
        ),
        Dataset(
            "disaster_reports",
            "灾情报告",
            "disaster reports",
            "应急管理",
            "emergency management",
            (
                F("household_size", "家庭人口", "int", aliases=("户人口",), en="household size"),
                F("year", "年度", "int", en="year"),
                F("disaster_type", "灾害类型", en="disaster type"),
                F("loss_yuan", "损失金额", "money", en="loss (yuan)"),
            ),
            {"head_id_number": "id_number", "head_name": "name"},
            household=True,
        ),
        Dataset(
            "employment",
            "就业登记",
            "employment",
            "人社",
            "human resources",
            (
                F("year", "年度", "int", en="year"),
                F("work_place", "务工地点", en="place of work"),
                F("months", "务工月数", "int", en="months worked"),
                F("monthly_wage", "月工资", "money", en="monthly wage"),
                F("social_insurance", "参加社保", "bool", en="social insurance"),
            ),
        ),
    )
}
DATASET_CHOICES = [(d.slug, _(d.zh)) for d in DATASETS.values()]


def get(slug: str) -> Dataset:
    try:
        return DATASETS[slug]
    except KeyError:
        known = ", ".join(DATASETS)
        raise ValidationFailed(
            f"未知的部门数据集：{slug}（可选：{known}）",
            f"unknown dataset {slug!r} (one of {known})",
        ) from None
