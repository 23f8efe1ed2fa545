"""The ruler's variable schema: every name a policy expression may use, declared once.

Variables come from three places:

1. the registry's canonical columns (``lantu.registry.columns``): household and yearly columns are
   household-level variables, member columns are member-level variables, and coded columns carry
   their code list (so a policy that writes ``schooling = 'dropot'`` is rejected with a suggestion);
2. derived variables, computed in SQL from those columns for the evaluation year (a member's age,
   the birth date and sex encoded in the ID number, net and per-capita income, household size…);
   their SQL is written here, in the DuckDB dialect, and transpiled like everything else;
3. linked facts: optional columns that other rooms add to the snapshot (department data from
   ``lantu.matching``, monitoring months from ``lantu.monitoring``, the county assessment's
   三率一度 from ``lantu.exits``). A snapshot without them reads them as NULL, and a clause over an
   unknown value fails, saying so.

Levels nest: members → household → village → county. A policy expression at one level reads that
level's variables directly and the level below only through an aggregate (``any``, ``all``,
``count``, ``sum``, ``min``, ``max``, ``avg``).

Two record chains stand beside the registry's, for the project room's checks (``RECORDS``):
disbursements → project, and allocations → fund (a county's fund source in a year). Their input
tables (``projects``, ``disbursements``, ``funds``, ``allocations``) are optional: a policy's
project and fund rules run only when the snapshot has them. Money in these chains is whole fen
(BIGINT), so sums compare exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lantu.projects import codes as pcodes
from lantu.registry import codes, columns

Level = Literal[
    "member", "household", "village", "county", "disbursement", "project", "allocation", "fund"
]
SqlType = Literal["VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN", "DATE"]
LEVELS: tuple[Level, ...] = (
    "member", "household", "village", "county", "disbursement", "project", "allocation", "fund"
)  # fmt: skip
CHILD: dict[Level, Level] = {
    "household": "member",
    "village": "household",
    "county": "village",
    "project": "disbursement",
    "fund": "allocation",
}


@dataclass(frozen=True)
class Records:
    """A level of the record chains: its input table, the columns naming one row (``keys``), and
    for a child level the columns naming its parent's row (``parent_keys``)."""

    level: Level
    input: str
    keys: tuple[str, ...]
    parent_keys: tuple[str, ...] = ()


RECORDS: dict[Level, Records] = {
    "disbursement": Records("disbursement", "disbursements", ("project_code", "voucher"),
                            ("project_code",)),
    "project": Records("project", "projects", ("project_code",)),
    "allocation": Records("allocation", "allocations", ("project_code", "county_code", "source",
                                                        "year"), ("county_code", "source", "year")),
    "fund": Records("fund", "funds", ("county_code", "source", "year")),
}  # fmt: skip

_KIND_TYPE: dict[str, SqlType] = {
    "str": "VARCHAR",
    "code": "VARCHAR",
    "id_number": "VARCHAR",
    "int": "BIGINT",
    "money": "DOUBLE",
    "decimal": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
}


@dataclass(frozen=True)
class Variable:
    name: str
    level: Level
    type: SqlType
    zh: str
    en: str
    codes: codes.CodeList | None = None
    # Derived variables: a DuckDB SQL expression over the level's base columns; ``{year}`` is the
    # evaluation year. Base and linked variables have none.
    sql: str | None = None
    linked: bool = False  # optional input column supplied by another room
    yearly: bool = False  # has a previous-year value, read as ``previous.<name>``


def _from_columns() -> list[Variable]:
    out: list[Variable] = []
    for c in columns.COLUMNS:
        if c.name == "household_no":
            continue
        level: Level = "member" if c.level == "member" else "household"
        out.append(
            Variable(
                c.name,
                level,
                _KIND_TYPE[c.kind],
                c.zh,
                c.en,
                c.codes,
                yearly=c.level == "year" and c.name != "year",
            )
        )
    return out


# GB 11643 check character: weights of the 17 digits, then 'mod 11' maps to this string.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Digit i of the 17-digit number ``id__17`` (computed once by the pipeline) is
# (id__17 // 10^(16-i)) % 10: integer arithmetic, far cheaper than 17 substrings and casts.
_ID_SUM = " + ".join(
    f"((id__17 // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(_ID_WEIGHTS)
)
# The birth date, digits 7–14, from the same number: year, month and day by integer arithmetic
# (a string built and parsed per member costs three times as much). A date that does not exist
# (month 13, 31 April, 29 February of a common year) is NULL; the inner CASE keeps make_date
# from ever seeing one.
_Y, _M, _D = ("((id__17 // 10000000) % 10000)", "((id__17 // 100000) % 100)",
              "((id__17 // 1000) % 100)")  # fmt: skip
_ID_BIRTH = (
    f"CASE WHEN {_M} BETWEEN 1 AND 12 AND {_D} >= 1 AND {_Y} >= 1 THEN CASE WHEN {_D} <= "
    f"DAY(LAST_DAY(MAKE_DATE({_Y}, {_M}, 1))) THEN MAKE_DATE({_Y}, {_M}, {_D}) END END"
)
_BIRTH = f"COALESCE(birth_date, {_ID_BIRTH})"
_INCOME_SUM = (
    "COALESCE(wage_income, 0) + COALESCE(business_income, 0) + COALESCE(property_income, 0)"
    " + COALESCE(transfer_income, 0)"
)

D = Variable
DERIVED: tuple[Variable, ...] = (
    # member level
    D(
        "age",
        "member",
        "BIGINT",
        "年龄（评估年度）",
        "age in the evaluation year",
        sql=f"{{year}} - EXTRACT(YEAR FROM {_BIRTH})",
    ),
    D("id_birth_date", "member", "DATE", "身份证出生日期", "birth date in the ID", sql=_ID_BIRTH),
    D(
        "id_sex",
        "member",
        "VARCHAR",
        "身份证性别",
        "sex in the ID",
        codes.SEX,
        # The 17th digit (the last of the body id__17): odd for men, even for women.
        sql="CASE id__17 % 2 WHEN 1 THEN '1' WHEN 0 THEN '2' END",
    ),
    D(
        "id_format_ok",
        "member",
        "BOOLEAN",
        "身份证号格式正确",
        "ID number well formed",
        sql="COALESCE(REGEXP_MATCHES(id_number, '^[0-9]{17}[0-9X]$'), FALSE)",
    ),
    D(
        "id_check_ok",
        "member",
        "BOOLEAN",
        "身份证校验码正确",
        "ID check character correct",
        sql=f"COALESCE(LENGTH(id_number) = 18 AND SUBSTRING('{_ID_CHECK}', "
        f"(({_ID_SUM}) % 11) + 1, 1) = UPPER(SUBSTRING(id_number, 18, 1)), FALSE)",
    ),
    D(
        "id_households",
        "member",
        "BIGINT",
        "该身份证号所在户数",
        "households listing this ID number",
        sql="COALESCE(dup__n, 1)",  # dup__n: the pipeline's count of listings of the ID
    ),
    # household level (the evaluation year's facts)
    D(
        "income_components",
        "household",
        "DOUBLE",
        "四项收入之和",
        "sum of the four income components",
        sql=_INCOME_SUM,
        yearly=True,
    ),
    D(
        "total_income",
        "household",
        "DOUBLE",
        "家庭总收入",
        "total income",
        sql=f"COALESCE(total_income, {_INCOME_SUM})",
        yearly=True,
    ),
    D(
        "total_income_reported",
        "household",
        "DOUBLE",
        "填报的家庭总收入",
        "total income as reported",
        sql="total_income",
        yearly=True,
    ),
    D(
        "net_income",
        "household",
        "DOUBLE",
        "家庭纯收入",
        "net income",
        sql=f"COALESCE(total_income, {_INCOME_SUM}) - COALESCE(production_cost, 0)",
        yearly=True,
    ),
    D(
        "per_capita_net_income",
        "household",
        "DOUBLE",
        "年人均纯收入",
        "per-capita net income",
        sql=f"(COALESCE(total_income, {_INCOME_SUM}) - COALESCE(production_cost, 0))"
        " / NULLIF(COALESCE(size, members_present), 0)",
        yearly=True,
    ),
    D(
        "rigid_expense",
        "household",
        "DOUBLE",
        "刚性支出（医疗自付+教育）",
        "rigid expenditure (medical out-of-pocket + education)",
        sql="COALESCE(medical_out_of_pocket, 0) + COALESCE(education_expense, 0)",
        yearly=True,
    ),
    D(
        "size",
        "household",
        "BIGINT",
        "家庭人口（年度填报，空则取在户成员数）",
        "household size (as reported for the year, else members present)",
        sql="COALESCE(size, members_present)",
        yearly=True,
    ),
    D(
        "size_reported",
        "household",
        "BIGINT",
        "填报的家庭人口",
        "household size as reported",
        sql="size",
        yearly=True,
    ),
    D(
        "has_year_record",
        "household",
        "BOOLEAN",
        "有本年度信息",
        "has a record for the year",
        sql="year IS NOT NULL",
        yearly=True,
    ),
)

# Derived household variables that are not yearly facts but come from the members (computed by
# the pipeline's member aggregation, always available).
MEMBER_SUMMARY: tuple[Variable, ...] = (
    D("members_present", "household", "BIGINT", "在户成员数", "members present"),
)

L = Variable
LINKED: tuple[Variable, ...] = (
    # member level: department data linked by lantu.matching
    L("public_employee", "member", "BOOLEAN", "财政供养人员", "public employee", linked=True),
    L("vehicle_value", "member", "DOUBLE", "名下车辆购置价", "value of own vehicles", linked=True),
    L("commercial_property", "member", "BOOLEAN", "城镇商品房或商铺", "town property", linked=True),
    L("company_operating", "member", "BOOLEAN", "经营在册企业", "runs a company", linked=True),
    # The year each asset arose (the department's registration year; of the member's latest
    # record when there are several), for the exclusions' "arose after registration" exception.
    L(
        "vehicle_year",
        "member",
        "BIGINT",
        "名下车辆登记年份",
        "vehicle registration year",
        linked=True,
    ),
    L(
        "property_year",
        "member",
        "BIGINT",
        "城镇房产登记年份",
        "town property registration year",
        linked=True,
    ),
    L("company_year", "member", "BIGINT", "企业成立年份", "company registration year", linked=True),
    L(
        "public_employee_year",
        "member",
        "BIGINT",
        "财政供养人员入职年份",
        "public employee's start year",
        linked=True,
    ),
    L("deceased", "member", "BOOLEAN", "已死亡（公安）", "deceased (police)", linked=True),
    L("imprisoned", "member", "BOOLEAN", "服刑人员", "imprisoned", linked=True),
    L("missing_person", "member", "BOOLEAN", "失踪人员", "missing", linked=True),
    # household level: department data and other rooms
    L("hired_workers", "household", "BIGINT", "雇工人数", "hired labourers", linked=True),
    L("split_to_qualify", "household", "BOOLEAN", "拆户分户", "split to qualify", linked=True),
    L("absent_registration", "household", "BOOLEAN", "空挂户", "registered, absent", linked=True),
    L("falsified", "household", "BOOLEAN", "优亲厚友或弄虚作假", "favouritism", linked=True),
    L("monitoring_months", "household", "BIGINT", "监测月数", "months monitored", linked=True),
    L(
        "assistance_measures",
        "household",
        "BIGINT",
        "帮扶措施数",
        "assistance measures",
        linked=True,
    ),
    L("disaster_loss", "household", "DOUBLE", "灾害损失", "disaster loss (yuan)", linked=True),
    # Department signals of a risk this year, the risk half of the monitoring test (中农组发〔2021〕
    # 7号: 因病、因残、因灾、因意外事故、收入大幅缩减), linked by lantu.matching (facts.yaml).
    L(
        "hospitalised",
        "member",
        "BOOLEAN",
        "当年新住院（上年无住院，医保）",
        "in hospital this year, not last year",
        linked=True,
    ),
    L(
        "disability_new",
        "member",
        "BOOLEAN",
        "当年新办残疾证",
        "disability certified this year",
        linked=True,
    ),
    L(
        "job_lost",
        "member",
        "BOOLEAN",
        "上年务工本年无（人社）",
        "lost migrant work this year",
        linked=True,
    ),
    L(
        "death_this_year",
        "household",
        "BOOLEAN",
        "当年有成员死亡（公安）",
        "a member died this year (police)",
        linked=True,
    ),
    # Clues the platform received this year about a member (monitoring tickets, by ID number):
    # the three channels of 中农组发〔2021〕7号 — 基层干部排查 (a cadre's visit that recorded a
    # risk), 农户自主申报 (a self-report) and 部门筛查预警 (a department's push).
    L(
        "clue_visit",
        "household",
        "BOOLEAN",
        "当年干部排查发现风险",
        "a cadre's visit recorded a risk this year",
        linked=True,
    ),
    L(
        "clue_self",
        "household",
        "BOOLEAN",
        "当年农户自主申报",
        "the household reported itself this year",
        linked=True,
    ),
    L(
        "clue_department",
        "household",
        "BOOLEAN",
        "当年部门预警推送",
        "a department pushed an alert this year",
        linked=True,
    ),
    # Kept by the monitoring room (monitoring records): years the income has stayed above the
    # monitoring line, and whether the rigid expense that caused monitoring is resolved.
    L(
        "income_stable_years",
        "household",
        "BIGINT",
        "收入稳定超过监测标准年数",
        "years the income has been above the monitoring line",
        linked=True,
    ),
    L(
        "rigid_expense_resolved",
        "household",
        "BOOLEAN",
        "刚性支出问题已解决",
        "the rigid expense is resolved",
        linked=True,
    ),
    # The assistance ledger (帮扶措施台账) names a vehicle, a town home or a company the household
    # got as an assistance measure (industry support, micro-credit, a workshop or cooperative):
    # the exclusions' "as an assistance measure" exception.
    L(
        "assisted_vehicle",
        "household",
        "BOOLEAN",
        "车辆为帮扶措施所得",
        "vehicle came as an assistance measure",
        linked=True,
    ),
    L(
        "assisted_property",
        "household",
        "BOOLEAN",
        "城镇住房为帮扶措施所得",
        "town home came as an assistance measure",
        linked=True,
    ),
    L(
        "assisted_company",
        "household",
        "BOOLEAN",
        "企业为产业帮扶项目所设",
        "company set up as an assistance project",
        linked=True,
    ),
    L(
        "public_employee_relative",
        "household",
        "BOOLEAN",
        "户主不在户的父母、配偶或子女为财政供养人员",
        "the head's parent, spouse or child outside the household is a public employee",
        linked=True,
    ),
    # household level: the assistance room's records (lantu.assistance.facts), as of the
    # evaluation: the cadre paired with the household, the year's plan and its measures, visits.
    L(
        "cadre_paired",
        "household",
        "BOOLEAN",
        "已落实帮扶责任人",
        "a responsible cadre is paired",
        linked=True,
    ),
    L(
        "cadre_level",
        "household",
        "VARCHAR",
        "帮扶责任人层级",
        "the responsible cadre's level",
        linked=True,
    ),
    L(
        "cadre_households",
        "household",
        "BIGINT",
        "帮扶责任人结对户数",
        "households paired with the responsible cadre",
        linked=True,
    ),
    L(
        "plan_current",
        "household",
        "BOOLEAN",
        "有本年度帮扶计划",
        "has this year's plan",
        linked=True,
    ),
    L(
        "plan_measures",
        "household",
        "BIGINT",
        "本年度帮扶措施数",
        "measures in this year's plan",
        linked=True,
    ),
    L(
        "plan_causes_unanswered",
        "household",
        "BIGINT",
        "未被措施回应的致贫原因数",
        "causes of poverty no measure answers",
        linked=True,
    ),
    L(
        "plan_safety_net",
        "household",
        "BOOLEAN",
        "有兜底保障措施",
        "has a safety-net measure",
        linked=True,
    ),
    L(
        "plan_development",
        "household",
        "BOOLEAN",
        "有产业就业等发展类措施",
        "has a development measure",
        linked=True,
    ),
    L(
        "plan_amounts_given",
        "household",
        "BOOLEAN",
        "措施投入产出已填",
        "measures' amounts recorded",
        linked=True,
    ),
    L(
        "plan_cadres_given",
        "household",
        "BOOLEAN",
        "每项措施有责任人",
        "every measure has a responsible cadre",
        linked=True,
    ),
    L(
        "plan_timeline",
        "household",
        "BOOLEAN",
        "有脱贫或风险消除时序",
        "has its exit or risk timeline",
        linked=True,
    ),
    L(
        "days_since_visit",
        "household",
        "BIGINT",
        "距上次走访天数",
        "days since the last visit",
        linked=True,
    ),
    # The project room (lantu.projects.feeds): projects and payments reaching the household by
    # the year, and its payments that look wrong (the same item paid again; a payee who is not
    # a member of the household).
    L(
        "project_reach",
        "household",
        "BIGINT",
        "覆盖的项目和资金数",
        "projects reaching it",
        linked=True,
    ),
    # village level: the rural population of the household register (公安户籍), the denominator
    # of poverty incidence (lantu.matching.population); NULL without it.
    L(
        "rural_population",
        "village",
        "BIGINT",
        "农村户籍人口",
        "rural population (register)",
        linked=True,
    ),
    # county level: the exit assessment (lantu.exits)
    L("wrong_exit_rate", "county", "DOUBLE", "错退率", "wrong-exit rate", linked=True),
    L("missed_rate", "county", "DOUBLE", "漏评率", "missed-identification rate", linked=True),
    L("approval_rate", "county", "DOUBLE", "群众认可度", "public approval", linked=True),
    L(
        "comprehensive_incidence",
        "county",
        "DOUBLE",
        "综合贫困发生率（评估）",
        "comprehensive poverty incidence (assessment)",
        linked=True,
    ),
)

# Keys of each level's table; policy expressions may read them but the engine supplies them.
KEYS: tuple[Variable, ...] = (
    D("village_code", "village", "VARCHAR", "村代码", "village code"),
    D("county_code", "county", "VARCHAR", "县代码", "county code"),
)

# The record chains (RECORDS): base columns of their input tables, derived and linked facts.
R = Variable
_SIX = (
    ("funds_plan", "定资金：资金来源与规模", "funds: sources and amounts"),
    ("plan", "定计划：建设内容与进度", "plan: content and schedule"),
    ("approval_doc", "定审批：批复文号", "approval: document number"),
    ("notice_plan", "定公示：公示内容与范围", "notice: content and reach"),
    ("responsible_unit", "定责任：责任单位", "responsibility: unit"),
    ("responsible_person", "定责任：责任人", "responsibility: person"),
    ("supervision", "定监管考核内容", "supervision and assessment"),
)
RECORD_VARIABLES: tuple[Variable, ...] = (
    # disbursement level: one payment to a household (到户补助)
    R("project_code", "disbursement", "VARCHAR", "项目编号", "project number"),
    R("voucher", "disbursement", "VARCHAR", "凭证号", "voucher number"),
    R("household_no", "disbursement", "VARCHAR", "户编号", "household number"),
    R("item", "disbursement", "VARCHAR", "补助事项", "item paid for"),
    R("payee_id_number", "disbursement", "VARCHAR", "收款人身份证号", "payee's ID number"),
    R("amount_fen", "disbursement", "BIGINT", "金额（分）", "amount (fen)"),
    R("year", "disbursement", "BIGINT", "年度", "year"),
    R("date", "disbursement", "DATE", "发放日期", "date paid"),
    R(
        "household_status",
        "disbursement",
        "VARCHAR",
        "收款户的户状态",
        "the household's status in the registry",
        codes.STATUS,
        linked=True,
    ),
    R(
        "beneficiary",
        "disbursement",
        "BOOLEAN",
        "收款户是本项目受益户",
        "the household is a beneficiary of the project",
        linked=True,
    ),
    R(
        "payee_is_member",
        "disbursement",
        "BOOLEAN",
        "收款人是该户在册成员（未填收款人身份证号时为空）",
        "the payee is an active member of the household (empty when no payee ID is given)",
        linked=True,
    ),
    R(
        "earlier_same_payments",
        "disbursement",
        "BIGINT",
        "此前同户、同项目、同事项、同金额、同年度的发放笔数",
        "earlier payments to the household for the same project, item, amount and year",
        # Earlier in date order (then voucher): the first of several identical payments is
        # not a repeat, each later one is.
        sql="ROW_NUMBER() OVER (PARTITION BY household_no, project_code, item, amount_fen, year "
        "ORDER BY date, voucher) - 1",
    ),
    # project level (县级项目库)
    R("project_code", "project", "VARCHAR", "项目编号", "project number"),
    R("county_code", "project", "VARCHAR", "县代码", "county code"),
    R("category", "project", "VARCHAR", "项目类别", "category", pcodes.CATEGORY),
    R("stage", "project", "VARCHAR", "项目阶段", "stage", pcodes.STAGE),
    R("year", "project", "BIGINT", "计划年度", "plan year"),
    R("notice_date", "project", "DATE", "公示开始日期", "notice date"),
    R("completed_date", "project", "DATE", "完工日期（实际）", "completion date"),
    R("accepted_date", "project", "DATE", "验收日期", "acceptance date"),
    *(R(name, "project", "VARCHAR", zh, en) for name, zh, en in _SIX),
    R("as_of", "project", "DATE", "检查基准日（空则为评估年度末）", "date checked as of"),
    R(
        "days_since_completion",
        "project",
        "BIGINT",
        "完工至检查基准日天数",
        "days from completion to the date checked",
        sql="DATE_DIFF('day', completed_date, COALESCE(as_of, MAKE_DATE({year}, 12, 31)))",
    ),
    R(
        "allocated_fen",
        "project",
        "BIGINT",
        "项目安排资金合计（分）",
        "allocated to the project (fen)",
        linked=True,
    ),
    # allocation level: a source's money set aside for a project in a year
    R("project_code", "allocation", "VARCHAR", "项目编号", "project number"),
    R("county_code", "allocation", "VARCHAR", "县代码", "county code"),
    R("source", "allocation", "VARCHAR", "资金来源", "fund source", pcodes.SOURCE),
    R("year", "allocation", "BIGINT", "年度", "year"),
    R("amount_fen", "allocation", "BIGINT", "安排金额（分）", "amount allocated (fen)"),
    # fund level: what a source makes available to a county in a year (下达资金)
    R("county_code", "fund", "VARCHAR", "县代码", "county code"),
    R("source", "fund", "VARCHAR", "资金来源", "fund source", pcodes.SOURCE),
    R("year", "fund", "BIGINT", "年度", "year"),
    R("available_fen", "fund", "BIGINT", "可用金额（分）", "amount available (fen)"),
)

ALL: tuple[Variable, ...] = (
    tuple(_from_columns()) + DERIVED + MEMBER_SUMMARY + LINKED + KEYS + RECORD_VARIABLES
)
# The derived total_income replaces the raw column of the same name in the schema.
_BY_LEVEL: dict[Level, dict[str, Variable]] = {lv: {} for lv in LEVELS}
for _v in ALL:
    _BY_LEVEL[_v.level][_v.name] = _v


def variables(level: Level) -> dict[str, Variable]:
    return _BY_LEVEL[level]


def base_member_columns() -> list[Variable]:
    """The member input columns (neither derived), linked ones included."""
    return [v for v in _BY_LEVEL["member"].values() if v.sql is None]


def year_columns() -> list[str]:
    return [c.name for c in columns.YEAR_COLUMNS]


def household_columns() -> list[str]:
    return [c.name for c in columns.HOUSEHOLD_COLUMNS if c.name != "household_no"]


def record_columns(level: Level) -> list[Variable]:
    """A record level's input columns (derived ones excluded), linked ones included."""
    return [v for v in _BY_LEVEL[level].values() if v.sql is None]
