"""Field work: the enumerators' lists, the XLSForm for ODK Collect / KoboToolbox, and the import
of the survey's export.

``xlsform(assessment)`` writes the form as an XLSForm workbook (survey, choices, settings sheets)
and ``xform(...)`` converts it with pyxform (``validate=True`` also runs ODK Validate, Java).
The form asks: the visit's outcome (interviewed, refused, not found), household size, per-capita
net income, 两不愁 (food, clothing), 三保障 (education, medical, housing) and water; it computes
whether the answers meet the exit standard (the year's income line is the ruler's
``income_line``), and asks the enumerator to record the verification — 错退 for an exited
household, 漏评 for one outside the registry, still poor for a registered one — and the 认可度
question.

``import_answers(...)`` reads an ODK Central / Kobo export (XLSX or CSV; headers are field names,
with or without group paths ``group/field`` or ``group-field``), checks every row (sample code of
this assessment, once; each answer one of its choices; required answers present) and reports
every error at once with the registry importer's error workbook; any error → nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from django.db import transaction

from lantu.core.errors import ImportRejected
from lantu.core.xlsx import workbook
from lantu.exits.models import Assessment, SampledHousehold
from lantu.ledger.services import Change, record
from lantu.registry.imports import ImportReport
from lantu.registry.reader import _spreadsheet_rows
from lantu.registry.validate import RowError
from lantu.standards import policy as ruler_policy

YES_NO = [("yes", "是", "yes"), ("no", "否", "no")]
VISIT = [("interviewed", "完成访问", "interviewed"), ("refused", "拒访", "refused"),
         ("not_found", "未找到/不在家", "not found")]  # fmt: skip
APPROVAL = [("satisfied", "认可", "approve"), ("basically", "基本认可", "mostly approve"),
            ("not", "不认可", "do not approve"), ("unclear", "说不清", "cannot say")]  # fmt: skip
STRATA = [("exited", "已脱贫户", "exited"), ("poor", "未脱贫户", "still poor"),
          ("outside", "非建档立卡户", "outside the registry")]  # fmt: skip
GUARANTEES = [("food_ok", "不愁吃", "enough food"), ("clothing_ok", "不愁穿", "enough clothing"),
              ("education_ok", "义务教育有保障", "compulsory education assured"),
              ("medical_ok", "基本医疗有保障", "basic medical care assured"),
              ("housing_ok", "住房安全有保障", "safe housing"),
              ("water_ok", "饮水安全有保障", "safe drinking water")]  # fmt: skip
VERIFY = {
    "exited": ("wrong_exit", "错退核实：该户是否仍未达到脱贫标准（应判为错退）？",
               "wrong exit check: is the household still below the exit standard?"),
    "outside": ("missed", "漏评核实：该户是否符合贫困户识别标准（应判为漏评）？",
                "missed check: does the household meet the identification standard?"),
    "poor": ("still_poor", "该户是否仍未达到脱贫标准？",
             "is the household still below the exit standard?"),
}  # fmt: skip
INTERVIEWED = "${visit} = 'interviewed'"


def income_line(policy: str, year: int) -> float:
    v = ruler_policy.load(policy).parameters["income_line"].at(year)
    return float(v.value) if v is not None else 0.0


def _survey_rows(line: float) -> list[list[str]]:
    fails = " or ".join(f"${{{n}}} = 'no'" for n, _zh, _en in GUARANTEES)
    rows = [
        ["text", "sample_code", "样本编号", "sample code", "yes", "regex(., '^S[0-9]{5}$')", ""],
        ["select_one stratum", "stratum", "户类别", "household group", "yes", "", ""],
        ["select_one visit", "visit", "访问结果", "visit outcome", "yes", "", ""],
        ["integer", "size", "家庭人口", "household size", "yes", ". > 0 and . < 30", INTERVIEWED],
        ["decimal", "income_pc", "年人均纯收入（元）", "per-capita net income (yuan)", "yes",
         ". >= -100000 and . < 1000000", INTERVIEWED],
    ]  # fmt: skip
    rows += [["select_one yes_no", n, zh, en, "yes", "", INTERVIEWED] for n, zh, en in GUARANTEES]
    rows.append(["calculate", "below_standard", "", "", "", "", INTERVIEWED,
                 f"if(${{income_pc}} < {line:g} or {fails}, 'yes', 'no')"])  # fmt: skip
    for stratum, (name, zh, en) in VERIFY.items():
        rel = f"{INTERVIEWED} and ${{stratum}} = '{stratum}'"
        rows.append(["select_one yes_no", name, zh + "（计算：${below_standard}）",
                     en + " (computed: ${below_standard})", "yes", "", rel])  # fmt: skip
    rows.append(["select_one approval", "approval", "您对本地脱贫攻坚工作和退出结果是否认可？",
                 "do you approve of the poverty work and the exit results here?", "yes", "",
                 INTERVIEWED])  # fmt: skip
    return [r + [""] * (8 - len(r)) for r in rows]


def xlsform(a: Assessment) -> bytes:
    buf = io.BytesIO()
    book = workbook(buf, {"in_memory": True})
    survey = book.add_worksheet("survey")
    survey.write_row(0, 0, ["type", "name", "label::中文 (zh)", "label::English (en)", "required",
                            "constraint", "relevant", "calculation"])  # fmt: skip
    for i, row in enumerate(_survey_rows(income_line(a.policy, a.year)), start=1):
        survey.write_row(i, 0, row)
    choices = book.add_worksheet("choices")
    choices.write_row(0, 0, ["list_name", "name", "label::中文 (zh)", "label::English (en)"])
    i = 1
    for list_name, opts in (("yes_no", YES_NO), ("visit", VISIT), ("approval", APPROVAL),
                            ("stratum", STRATA)):  # fmt: skip
        for name, zh, en in opts:
            choices.write_row(i, 0, [list_name, name, zh, en])
            i += 1
    settings = book.add_worksheet("settings")
    settings.write_row(0, 0, ["form_title", "form_id", "version", "default_language"])
    settings.write_row(1, 0, [f"贫困县退出评估调查 {a.county.name} {a.year}",
                              f"lantu_exit_{a.pk}", str(a.pk), "中文 (zh)"])  # fmt: skip
    book.close()
    return buf.getvalue()


def xform(a: Assessment, *, validate: bool = False) -> str:
    """The XForm XML that pyxform builds from the XLSForm (ODK Validate when ``validate``)."""
    import tempfile
    from pathlib import Path

    from pyxform.xls2xform import convert

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"lantu_exit_{a.pk}.xlsx"
        path.write_bytes(xlsform(a))
        result = convert(xlsform=str(path), validate=validate, pretty_print=False)
    return str(result.xform)


# --- import --------------------------------------------------------------------------------

YES_NO_FIELDS = [g[0] for g in GUARANTEES] + [v[0] for v in VERIFY.values()]
VALUES = {"visit": [v[0] for v in VISIT], "approval": [v[0] for v in APPROVAL],
          **{n: ["yes", "no"] for n in YES_NO_FIELDS}}  # fmt: skip
# The re-check (复核), optional columns of the same row: the check team's finding (found poor:
# yes/no) and its record of the approval answer. Blank: not re-checked. The estimator measures
# the first visit's misclassification from these pairs and corrects it.
RECHECK = {"check_poor": ["yes", "no"], "check_approval": [v[0] for v in APPROVAL]}


def _read(data: bytes, filename: str) -> list[dict[str, str]]:
    rows = _read_table(data, filename)
    head = [h.replace("-", "/").split("/")[-1].strip() for h in rows[0]]
    if "sample_code" not in head:
        raise ImportRejected("缺少 sample_code 列（样本编号）：请上传 ODK/Kobo 的数据导出文件",
                             "no sample_code column: upload the ODK/Kobo data export")  # fmt: skip
    return [dict(zip(head, r + [""] * (len(head) - len(r)), strict=False)) for r in rows[1:]]


def _check(row: dict[str, str], n: int, sample: SampledHousehold | None,
           seen: set[str]) -> list[RowError]:  # fmt: skip
    code = row.get("sample_code", "")
    if sample is None:
        return [RowError(n, "sample_code", code, "本次评估没有该样本编号",
                         "no such sample code in this assessment")]  # fmt: skip
    if code in seen:
        return [RowError(n, "sample_code", code, "样本编号重复", "sample code given twice")]
    seen.add(code)
    errs = []
    visit = row.get("visit", "")
    needed = ["visit"]
    if visit == "interviewed":
        needed += [g[0] for g in GUARANTEES] + ["approval", VERIFY[STRATA[sample.stratum][0]][0]]
    if visit == "interviewed" and not (row.get("size", "").isdigit() and 0 < int(row["size"]) < 30):
        errs.append(RowError(n, "size", row.get("size", ""), "家庭人口应为1至29的整数",
                             "household size must be a whole number from 1 to 29"))  # fmt: skip
    checked = visit == "interviewed" and row.get("check_poor", "") != ""
    for name in needed + (list(RECHECK) if checked else []):
        value, allowed = row.get(name, ""), {**VALUES, **RECHECK}[name]
        if value not in allowed:
            errs.append(RowError(n, name, value, f"应为：{'、'.join(allowed)}",
                                 f"must be one of: {', '.join(allowed)}"))  # fmt: skip
    return errs


def import_answers(*, actor: Any, assessment: Assessment, data: bytes, filename: str,
                   dry_run: bool = False) -> ImportReport:  # fmt: skip
    from lantu.exits.services import authorise_assessor

    authorise_assessor(actor, assessment.region_path)
    rows = _read(data, filename)
    source = f"{filename} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    report = ImportReport(source=source)
    samples = {s.code: s for s in assessment.households.all()}
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        report.errors += _check(row, i, samples.get(row.get("sample_code", "")), seen)
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        changed = []
        for row in rows:
            s = samples[row["sample_code"]]
            ok = row["visit"] == "interviewed"
            verify = VERIFY[STRATA[s.stratum][0]][0]
            s.responded = ok
            s.found_poor = ok and row.get(verify) == "yes"
            s.approves = ok and row.get("approval") in ("satisfied", "basically")
            s.answers = {k: v for k, v in row.items()
                         if k in VALUES or k in RECHECK or k in ("size", "income_pc")}  # fmt: skip
            if ok:  # the household's size as found (the only size of one outside the registry)
                s.size = int(row["size"])
            changed.append(s)
        SampledHousehold.objects.bulk_update(changed, ["responded", "found_poor", "approves",
                                                       "answers", "size"])  # fmt: skip
        record(Change("exits.import", "exits.assessment", str(assessment.pk),
                      assessment.region_path, None, {"rows": len(changed)}, source),
               actor=actor)  # fmt: skip
    report.summary = {"answers": len(changed)}
    return report


ROSTER_CODE = ("村代码", "village_code")
ROSTER_COUNT = ("户数", "households")


def import_rosters(*, actor: Any, county: Any, year: int, data: bytes,
                   filename: str) -> ImportReport:  # fmt: skip
    """The household register's counts (户籍户数) of a county's villages, uploaded from a page:
    columns 村代码 (or village_code) and 户数 (or households), CSV or XLSX. Every row is checked
    (a village of this county, once, a whole number 0–100,000), every error reported at once in
    the registry importer's error workbook, and nothing is written on any error. A county has a
    few hundred villages, so it is done in the request; the whole province's file stays with
    ``lantu exits rosters``."""
    from lantu.exits.services import set_rosters
    from lantu.regions.models import Region

    rows = _read_table(data, filename)
    head = rows[0]
    col = {k: next((i for i, h in enumerate(head) if h in names), None)
           for k, names in (("code", ROSTER_CODE), ("n", ROSTER_COUNT))}  # fmt: skip
    if col["code"] is None or col["n"] is None:
        raise ImportRejected("缺少“村代码”或“户数”列", "the columns 村代码 and 户数 are needed")
    source = f"{filename} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    report = ImportReport(source=source)
    villages = set(Region.objects.filter(path__startswith=county.path, level="village")
                   .values_list("code", flat=True))  # fmt: skip
    counts: dict[str, int] = {}
    for i, r in enumerate(rows[1:], start=2):
        r = r + [""] * (len(head) - len(r))
        code, n = r[col["code"]], r[col["n"]]
        if code not in villages:
            report.errors.append(RowError(i, "村代码", code, f"{county.name}没有这个村",
                                          f"no such village in {county.name}"))  # fmt: skip
        elif code in counts:
            report.errors.append(RowError(i, "村代码", code, "村代码重复", "village given twice"))
        if not (n.isdigit() and int(n) <= 100_000):
            msg = ("户数应为0至100000的整数", "households must be a whole number 0–100,000")
            report.errors.append(RowError(i, "户数", n, *msg))
        elif code in villages:
            counts[code] = int(n)
    if not report.errors and not counts:
        raise ImportRejected("文件中没有数据行", "the file has no data rows")
    if report.errors:
        return report
    set_rosters(actor=actor, year=year, counts=counts, source=source)
    report.summary = {"villages": len(counts)}
    return report


def _read_table(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith((".xlsx", ".xls", ".ods")):
        rows = [[("" if c is None else str(c)).strip() for c in r]
                for r in _spreadsheet_rows(data, filename)]  # fmt: skip
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ImportRejected("文件是空的", "the file is empty")
    return rows
