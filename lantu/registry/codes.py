"""The coded values of the registry (建档立卡), in one place.

Every coded field of a household, a member or a yearly fact takes its values from one of the
lists below. The same lists drive the database choices, the Excel import template (its
drop-down lists), the import parser (which accepts the code, the Chinese label or the English
label), the simulator and the ruler's variable schema. Internal codes are short ASCII slugs so
that policy expressions stay readable (``schooling = 'dropout'``); the national numeric code is
kept where the national form has one (main causes of poverty, ethnic groups).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    zh: str
    en: str


CodeList = tuple[Code, ...]

HOUSEHOLD_TYPE: CodeList = (
    Code("general", "一般贫困户", "general poor household"),
    Code("dibao", "低保户", "minimum-living-allowance household"),
    Code("tekun", "特困供养户（五保户）", "extreme-poverty support household (wubao)"),
    Code("dibao_poor", "低保贫困户", "minimum-allowance poor household"),
    Code("none", "非贫困户", "not a poor household"),
)

# A household's standing in the registry. The history of changes is kept in StatusChange.
STATUS: CodeList = (
    Code("not_registered", "未建档", "not registered"),
    Code("poor", "贫困户", "poor (registered)"),
    Code("exited", "已脱贫", "exited poverty"),
    Code("monitored", "监测对象", "under monitoring"),
    Code("risk_eliminated", "风险已消除", "risk eliminated"),
    Code("removed", "已清退", "removed (wrongly included)"),
    Code("returned", "返贫", "returned to poverty"),
    Code("deregistered", "已销户", "deregistered (household dissolved)"),
)

MONITORING_TYPE: CodeList = (
    Code("unstable", "脱贫不稳定户", "exited but unstable"),
    Code("marginal", "边缘易致贫户", "at the edge of poverty"),
    Code("sudden", "突发严重困难户", "sudden severe hardship"),
)

SEX: CodeList = (
    Code("1", "男", "male"),
    Code("2", "女", "female"),
)

# 与户主关系, simplified from GB/T 4761 to the groups the national registry form uses.
RELATION: CodeList = (
    Code("head", "户主", "head of household"),
    Code("spouse", "配偶", "spouse"),
    Code("child", "子女", "child"),
    Code("child_in_law", "儿媳/女婿", "child-in-law"),
    Code("grandchild", "孙辈", "grandchild"),
    Code("parent", "父母", "parent"),
    Code("grandparent", "祖父母/外祖父母", "grandparent"),
    Code("sibling", "兄弟姐妹", "sibling"),
    Code("other", "其他", "other relative"),
)

# GB 3304-1991 codes for the ethnic groups most present in rural Yunnan; the full list of 56
# is accepted (ETHNICITY_ALL), the short list is what the template's drop-down offers first.
ETHNICITY: CodeList = (
    Code("01", "汉族", "Han"),
    Code("02", "蒙古族", "Mongol"),
    Code("03", "回族", "Hui"),
    Code("04", "藏族", "Tibetan"),
    Code("05", "维吾尔族", "Uyghur"),
    Code("06", "苗族", "Miao"),
    Code("07", "彝族", "Yi"),
    Code("08", "壮族", "Zhuang"),
    Code("09", "布依族", "Buyei"),
    Code("10", "朝鲜族", "Korean"),
    Code("11", "满族", "Manchu"),
    Code("12", "侗族", "Dong"),
    Code("13", "瑶族", "Yao"),
    Code("14", "白族", "Bai"),
    Code("15", "土家族", "Tujia"),
    Code("16", "哈尼族", "Hani"),
    Code("17", "哈萨克族", "Kazakh"),
    Code("18", "傣族", "Dai"),
    Code("19", "黎族", "Li"),
    Code("20", "傈僳族", "Lisu"),
    Code("21", "佤族", "Wa"),
    Code("22", "畲族", "She"),
    Code("23", "高山族", "Gaoshan"),
    Code("24", "拉祜族", "Lahu"),
    Code("25", "水族", "Sui"),
    Code("26", "东乡族", "Dongxiang"),
    Code("27", "纳西族", "Naxi"),
    Code("28", "景颇族", "Jingpo"),
    Code("29", "柯尔克孜族", "Kyrgyz"),
    Code("30", "土族", "Tu"),
    Code("31", "达斡尔族", "Daur"),
    Code("32", "仫佬族", "Mulao"),
    Code("33", "羌族", "Qiang"),
    Code("34", "布朗族", "Blang"),
    Code("35", "撒拉族", "Salar"),
    Code("36", "毛南族", "Maonan"),
    Code("37", "仡佬族", "Gelao"),
    Code("38", "锡伯族", "Xibe"),
    Code("39", "阿昌族", "Achang"),
    Code("40", "普米族", "Pumi"),
    Code("41", "塔吉克族", "Tajik"),
    Code("42", "怒族", "Nu"),
    Code("43", "乌孜别克族", "Uzbek"),
    Code("44", "俄罗斯族", "Russian"),
    Code("45", "鄂温克族", "Evenki"),
    Code("46", "德昂族", "De'ang"),
    Code("47", "保安族", "Bonan"),
    Code("48", "裕固族", "Yugur"),
    Code("49", "京族", "Gin"),
    Code("50", "塔塔尔族", "Tatar"),
    Code("51", "独龙族", "Derung"),
    Code("52", "鄂伦春族", "Oroqen"),
    Code("53", "赫哲族", "Hezhen"),
    Code("54", "门巴族", "Monpa"),
    Code("55", "珞巴族", "Lhoba"),
    Code("56", "基诺族", "Jino"),
    Code("97", "其他", "other"),
)

EDUCATION: CodeList = (
    Code("illiterate", "文盲或半文盲", "illiterate or semi-literate"),
    Code("primary", "小学", "primary school"),
    Code("junior", "初中", "junior secondary"),
    Code("senior", "高中", "senior secondary"),
    Code("vocational", "中专/中职", "secondary vocational"),
    Code("college", "大专及以上", "college or above"),
    Code("preschool", "学龄前儿童", "pre-school child"),
)

# 在校生状况
SCHOOLING: CodeList = (
    Code("not_student", "非在校生", "not a student"),
    Code("preschool", "学前教育", "pre-school"),
    Code("primary", "小学", "primary school"),
    Code("junior", "初中", "junior secondary"),
    Code("senior", "高中", "senior secondary"),
    Code("vocational", "中职", "secondary vocational"),
    Code("higher", "高职/大专/本科及以上", "higher education"),
    Code("home_teaching", "送教上门", "home teaching (disabled child)"),
    Code("dropout", "失学辍学", "out of school (dropout)"),
)

HEALTH: CodeList = (
    Code("healthy", "健康", "healthy"),
    Code("chronic", "长期慢性病", "chronic illness"),
    Code("serious", "患有大病", "serious illness"),
    Code("disabled", "残疾", "disabled"),
)

LABOUR: CodeList = (
    Code("skilled", "技能劳动力", "skilled labour"),
    Code("ordinary", "普通劳动力", "ordinary labour"),
    Code("weak", "弱劳动力或半劳动力", "weak or half labour"),
    Code("lost", "丧失劳动力", "lost labour capacity"),
    Code("none", "无劳动力", "no labour capacity"),
)

WORK: CodeList = (
    Code("none", "未务工", "not working away"),
    Code("township", "乡镇内务工", "working within the township"),
    Code("county", "乡镇外县内务工", "working outside the township, in the county"),
    Code("province", "县外省内务工", "working outside the county, in the province"),
    Code("outside", "省外务工", "working outside the province"),
    Code("welfare_job", "公益性岗位", "public-welfare job"),
)

HOUSING_GRADE: CodeList = (
    Code("A", "A级（安全）", "grade A (safe)"),
    Code("B", "B级（基本安全）", "grade B (basically safe)"),
    Code("C", "C级（危房）", "grade C (dangerous)"),
    Code("D", "D级（危房）", "grade D (dangerous)"),
)

HOUSING_STRUCTURE: CodeList = (
    Code("concrete", "钢混", "reinforced concrete"),
    Code("brick", "砖混", "brick and concrete"),
    Code("brick_wood", "砖木", "brick and wood"),
    Code("earth_wood", "土木", "earth and wood"),
    Code("other", "其他", "other"),
)

WATER_SOURCE: CodeList = (
    Code("piped", "自来水（集中供水）", "piped (centralised supply)"),
    Code("well", "水井", "well"),
    Code("spring", "山泉水/水窖", "spring or cistern"),
    Code("river", "江河湖泊", "river or lake"),
    Code("other", "其他", "other"),
)

FUEL: CodeList = (
    Code("firewood", "柴草", "firewood"),
    Code("coal", "煤炭", "coal"),
    Code("electricity", "电", "electricity"),
    Code("gas", "燃气/沼气", "gas or biogas"),
    Code("other", "其他", "other"),
)

# 主要致贫原因: the 12 national codes of the 建档立卡 form.
CAUSE: CodeList = (
    Code("1", "因病", "illness"),
    Code("2", "因残", "disability"),
    Code("3", "因学", "education costs"),
    Code("4", "因灾", "disaster"),
    Code("5", "缺土地", "lack of land"),
    Code("6", "缺水", "lack of water"),
    Code("7", "缺技术", "lack of skills"),
    Code("8", "缺劳力", "lack of labour"),
    Code("9", "缺资金", "lack of capital"),
    Code("10", "交通条件落后", "poor transport"),
    Code("11", "自身发展动力不足", "lack of motivation"),
    Code("12", "其它", "other"),
)


def choices(codes: CodeList) -> list[tuple[str, str]]:
    """Django ``choices`` with the Chinese label (translated pages show the code list's English)."""
    return [(c.code, c.zh) for c in codes]


def label(codes: CodeList, code: str | None, lang: str = "zh") -> str:
    for c in codes:
        if c.code == code:
            return c.zh if lang == "zh" else c.en
    return code or ""


def lookup(codes: CodeList) -> dict[str, str]:
    """Map every accepted spelling (code, Chinese label, English label) to the code."""
    table: dict[str, str] = {}
    for c in codes:
        for spelling in (c.code, c.zh, c.en, c.en.lower()):
            table[spelling] = c.code
        # Accept the label without its parenthesised gloss, e.g. "特困供养户".
        for sep in ("（", "("):
            if sep in c.zh:
                table[c.zh.split(sep)[0]] = c.code
    return table
