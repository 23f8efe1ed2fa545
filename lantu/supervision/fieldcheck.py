"""账实相符: does the record match the household's real situation? A two-stage sample of a
county's registered households (villages PPS, households within them: the exits room's sampler,
``lantu.exits.sampling``, with every sampled household inside the registry), an XLSForm for the
enumerators (ODK/Kobo; the household's record printed beside each question), the import of their
answers (all or nothing), and the discrepancy rate with its design-based interval (the exits
room's linearised ratio variance and Korn-Graubard interval, ``lantu.exits.estimation``).

A visited household is a discrepancy when any checked item differs from the record: the people
living there, the status card, the bank account the payments go to, the payments received.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

import numpy as np
from django.db import transaction

from lantu.core.errors import ValidationFailed
from lantu.core.xlsx import workbook
from lantu.exits import estimation, sampling
from lantu.ledger.services import Change, record
from lantu.regions.models import Region
from lantu.registry.models import Household
from lantu.supervision.models import FieldCheck, FieldCheckItem
from lantu.supervision.services import authorise

ITEMS = (
    ("size_ok", "家庭人口与明白卡一致", "household size matches the manual"),
    ("status_ok", "户类别（脱贫/未脱贫/监测）与系统一致", "status matches the system"),
    ("account_ok", "补贴到账的银行账户为本户", "payments go to the household's own account"),
    ("payments_ok", "系统所列补助均已收到", "every payment the system lists was received"),
)
POOR_LIKE = ("poor", "returned", "monitored")
EXITED_LIKE = ("exited", "risk_eliminated")


def _frame(county: Region) -> tuple[sampling.Frame, list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in Household.objects.filter(
            region_path__startswith=county.path, status__in=POOR_LIKE + EXITED_LIKE
        )
        .order_by("id")
        .values("id", "region_path", "status", "size")
    ]
    if not rows:
        raise ValidationFailed("该县没有建档立卡户可抽", "the county has no registered households")
    village = np.array([int(r["region_path"].strip("/").split("/")[4]) for r in rows], np.int64)
    stratum = np.array(
        [sampling.POOR if r["status"] in POOR_LIKE else sampling.EXITED for r in rows], np.int8
    )
    frame = sampling.Frame(
        county=np.full(len(rows), int(county.code), np.int64),
        village=village,
        village_stratum=np.zeros(len(rows), np.int8),
        stratum=stratum,
        size=np.array([max(int(r["size"] or 1), 1) for r in rows], np.int64),
        key=np.array([r["id"] for r in rows], np.int64),
    )
    return frame, rows


@transaction.atomic
def draw(
    *, actor: Any, county: Region, year: int, villages: int = 10, per_village: int = 10, seed: int
) -> FieldCheck:
    authorise(actor, county.path)
    if county.level != "county":
        raise ValidationFailed(f"{county.name}不是县", f"{county.name} is not a county")
    frame, rows = _frame(county)
    design = sampling.Design.default(
        villages_per_county=villages, households_per_village=per_village, registry_share=1.0
    )
    sample = sampling.draw(frame, design, seed=seed)
    u, _counties = sampling.units(sample, frame)
    check = FieldCheck.objects.create(
        county=county,
        region_path=county.path,
        year=year,
        seed=seed,
        design=asdict(design),
        frame_digest=sample.frame_digest,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    pi = sample.villages["pi"]
    items = [
        FieldCheckItem(
            field_check=check,
            code=f"S{i + 1:05d}",
            household_id=int(frame.key[r]),
            region_path=rows[r]["region_path"],
            psu=int(sample.psu[i]),
            psu_stratum=int(u.psu_stratum[int(sample.psu[i])]),
            stratum=int(frame.stratum[r]),
            size=int(frame.size[r]),
            weight=float(sample.weight[i]),
            cell_size=int(sample.cell_size[i]),
            pi=float(pi[int(sample.psu[i])]),
        )
        for i, r in enumerate(sample.rows.tolist())
    ]
    FieldCheckItem.objects.bulk_create(items)
    record(
        Change(
            "supervision.fieldcheck.draw",
            "supervision.fieldcheck",
            str(check.pk),
            county.path,
            None,
            {"households": len(items), "seed": seed, "digest": sample.frame_digest},
        ),
        actor=actor,
    )
    return check


def xlsform(check: FieldCheck) -> bytes:
    """The enumerators' form (ODK XLSForm): the sample code, whether the household was visited,
    and each item as yes/no; the record's values come in the printed list (``roster``)."""
    buf = io.BytesIO()
    book = workbook(buf, {"in_memory": True})
    survey = book.add_worksheet("survey")
    survey.write_row(
        0,
        0,
        [
            "type",
            "name",
            "label::中文 (zh)",
            "label::English (en)",
            "required",
            "constraint",
            "relevant",
        ],
    )
    visited = "${visited} = 'yes'"
    rows = [
        ["text", "sample_code", "样本编号", "sample code", "yes", "regex(., '^S[0-9]{5}$')", ""],
        ["select_one yes_no", "visited", "是否入户核查", "household visited", "yes", "", ""],
    ]
    rows += [["select_one yes_no", n, zh, en, "yes", "", visited] for n, zh, en in ITEMS]
    rows.append(["text", "note", "不符情况说明", "what differed", "", "", visited])
    for i, r in enumerate(rows, start=1):
        survey.write_row(i, 0, r)
    choices = book.add_worksheet("choices")
    choices.write_row(0, 0, ["list_name", "name", "label::中文 (zh)", "label::English (en)"])
    choices.write_row(1, 0, ["yes_no", "yes", "是", "yes"])
    choices.write_row(2, 0, ["yes_no", "no", "否", "no"])
    settings = book.add_worksheet("settings")
    settings.write_row(0, 0, ["form_title", "form_id", "version", "default_language"])
    settings.write_row(
        1,
        0,
        [
            f"账实相符核查 {check.county.name} {check.year}",
            f"lantu_field_{check.pk}",
            str(check.pk),
            "中文 (zh)",
        ],
    )
    book.close()
    return buf.getvalue()


def _rows(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text)) if any(r)]
    if not rows:
        raise ValidationFailed("文件是空的", "the file is empty")
    head = [h.replace("-", "/").split("/")[-1] for h in rows[0]]
    if "sample_code" not in head:
        raise ValidationFailed("缺少 sample_code 列", "no sample_code column")
    return [dict(zip(head, r, strict=False)) for r in rows[1:]]


@transaction.atomic
def import_answers(*, actor: Any, check: FieldCheck, data: bytes) -> int:
    """The ODK/Kobo export (CSV), all or nothing: every row must name a sampled household once
    and answer yes or no."""
    authorise(actor, check.region_path)
    items = {i.code: i for i in check.items.all()}
    seen: set[str] = set()
    problems: list[str] = []
    for n, row in enumerate(_rows(data), start=2):
        code = row.get("sample_code", "")
        item = items.get(code)
        if item is None or code in seen:
            problems.append(
                f"第{n}行：样本编号{code}不在样本中或重复 / row {n}: sample {code} "
                "unknown or repeated"
            )
            continue
        seen.add(code)
        answers = [row.get("visited", "")] + [row.get(k, "") for k, _z, _e in ITEMS]
        if row.get("visited") == "no":
            answers = ["no"]
        if any(a not in ("yes", "no") for a in answers):
            problems.append(f"第{n}行：请回答是或否 / row {n}: answer yes or no")
            continue
        item.visited = row["visited"] == "yes"
        bad = [k for k, _z, _e in ITEMS if item.visited and row.get(k) == "no"]
        item.mismatch = bool(bad) if item.visited else None
        item.fields = ",".join(bad)
    if problems:
        raise ValidationFailed(
            "；".join(p.split(" / ")[0] for p in problems[:10]),
            "; ".join(p.split(" / ")[1] for p in problems[:10]),
        )
    changed = [items[c] for c in seen]
    FieldCheckItem.objects.bulk_update(changed, ["visited", "mismatch", "fields"])
    check.estimate = estimate(check)
    check.save(update_fields=["estimate"])
    record(
        Change(
            "supervision.fieldcheck.import",
            "supervision.fieldcheck",
            str(check.pk),
            check.region_path,
            None,
            {"rows": len(changed), **check.estimate},
        ),
        actor=actor,
    )
    return len(changed)


def estimate(check: FieldCheck, confidence: float = 0.95) -> dict[str, Any]:
    """The share of registered households whose record does not match (weighted by the design),
    with its Korn-Graubard interval; non-response reweighted within the village and stratum."""
    items = list(check.items.order_by("code"))
    if not items:
        return {}
    psu = np.array([i.psu for i in items], np.int64)
    n_psu = int(psu.max()) + 1
    pi = np.zeros(n_psu)
    psu_stratum = np.zeros(n_psu, np.int64)
    for i in items:
        pi[i.psu], psu_stratum[i.psu] = i.pi, i.psu_stratum
    stratum = np.array([i.stratum for i in items], np.int64)
    u = estimation.Units(
        county=np.zeros(len(items), np.int64),
        psu=psu,
        psu_stratum=psu_stratum,
        cell=psu * 3 + stratum,
        stratum=stratum,
        size=np.array([i.size for i in items]),
        weight=np.array([i.weight for i in items]),
        n_counties=1,
        pi=pi,
        cell_size=np.array([i.cell_size for i in items]),
    )
    responded = np.array([bool(i.visited) for i in items])
    y = np.array([bool(i.mismatch) for i in items], np.float64)
    w = estimation.adjusted_weights(u, responded)
    x = responded.astype(np.float64)
    r, var, df = estimation.ratio_variance(u, w, y * x, x)
    n = np.array([float(responded.sum())])
    n_star = estimation.korn_graubard_size(r, var, n, df, confidence)
    alpha = (1 - confidence) / 2
    low, high = estimation.cp_bounds(r * n_star, n_star, alpha, alpha)
    return {
        "rate": round(float(r[0]), 4),
        "low": round(float(low[0]), 4),
        "high": round(float(high[0]), 4),
        "visited": int(n[0]),
        "sampled": len(items),
        "mismatched": int((y * x).sum()),
        "confidence": confidence,
    }
