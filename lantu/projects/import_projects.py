"""Importing the project library (``projects``) and each project's beneficiary households
(``beneficiaries``).

A project row names its county and the townships or villages it serves (codes inside that
county). A new project without a stage is a proposal: it gets its lifecycle case (入库审核). A
project recorded from earlier years gives its stage and dates as they were (history is kept, not
replayed); from 已批复 on, all six 六定 must be filled. A project already in the library is
updated field by field where the file differs (its stage is moved only by its procedure).
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from lantu.accounts.roles import Perm
from lantu.core.bulksql import select_in
from lantu.ledger.services import Change, record_many
from lantu.projects import columns, lifecycle, lookups
from lantu.projects.import_funds import _dups, _resolve_projects
from lantu.projects.imports import Table, register, row_errors
from lantu.projects.models import APPROVED_STAGES, SIX_FIELDS, Beneficiary, Project, ProjectArea
from lantu.projects.money import from_fen, yuan_of
from lantu.regions.models import Region
from lantu.registry.reader import ROW
from lantu.registry.validate import RowError

ZP = {c.name: c.zh for c in columns.PROJECTS}
ZB = {c.name: c.zh for c in columns.BENEFICIARIES}
SPLIT = re.compile(r"[、,，;；\s]+")
UPDATABLE = ("name", "implementer", "start_date", "end_date", "planned_amount", *SIX_FIELDS)


def _check_projects(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    df = df.with_columns(
        pl.col("areas").map_elements(
            lambda s: [a for a in SPLIT.split(s) if a], return_dtype=pl.List(pl.String)
        )
    )
    codes = (
        df["county_code"].unique().to_list() + df["areas"].explode().drop_nulls().unique().to_list()
    )
    regions = lookups.regions(codes)
    counties = regions.rename(
        {"code": "county_code", "region_id": "county_id", "path": "county_path"}
    )
    out = df.join(counties, on="county_code", how="left")
    scope = lookups.scope_of(actor)
    bad_county = (pl.col("level") != "county").fill_null(True) | ~lookups.under(
        "county_path", scope
    ).fill_null(False)
    errors = row_errors(
        out,
        bad_county,
        ZP["county_code"],
        "county_code",
        "{county_code}不是您辖区内的县",
        "{county_code} is not a county in your region",
    )
    paths = dict(zip(regions["code"].to_list(), regions["path"].to_list(), strict=True))
    for rec in out.filter(~bad_county).select(ROW, "areas", "county_path").iter_rows(named=True):
        wrong = [
            a
            for a in rec["areas"]
            if not paths.get(a, "").startswith(rec["county_path"])
            or paths.get(a) == rec["county_path"]
        ]
        if wrong or not rec["areas"]:
            shown = "、".join(wrong)
            errors.append(
                RowError(
                    rec[ROW],
                    ZP["areas"],
                    shown,
                    f"乡镇或村代码{shown}不存在或不在该县内",
                    f"township or village codes {shown} missing or outside the county",
                )
            )
    errors += row_errors(
        out,
        pl.col("code").is_duplicated(),
        ZP["code"],
        "code",
        "项目编号{code}在文件中出现多次",
        "project number {code} appears more than once",
    )
    approved = pl.col("stage").is_in(APPROVED_STAGES).fill_null(False)
    for f in SIX_FIELDS:
        errors += row_errors(
            out,
            approved & (pl.col(f) == ""),
            ZP[f],
            f,
            f"已批复的项目必须填写“{ZP[f]}”（六定）",
            f"an approved project needs its '{f}' (six fixes)",
        )
    stored = lookups.projects(out["code"].to_list()).rename({"project_code": "code"})
    return out.join(stored.select("code", "project_id"), on="code", how="left"), errors


def _apply_projects(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
    created = updated = 0
    changes: list[Change] = []
    area_ids = {
        r.code: r for r in Region.objects.filter(code__in=df["areas"].explode().unique().to_list())
    }
    for rec in df.iter_rows(named=True):  # a county library holds hundreds of projects a year
        values = {k: rec[k] for k in UPDATABLE} | {
            "planned_amount": from_fen(rec["planned_amount"] or 0)
        }
        if rec["project_id"] is not None:
            p = Project.objects.get(pk=rec["project_id"])
            diff = {k: v for k, v in values.items() if getattr(p, k) != v}
            if diff:
                before = {k: getattr(p, k) for k in diff}
                Project.objects.filter(pk=p.pk).update(**diff)
                changes.append(
                    Change(
                        "project.update",
                        "projects.project",
                        str(p.pk),
                        p.region_path,
                        before,
                        diff,
                        source,
                    )
                )
                updated += 1
            continue
        stage = rec["stage"] or "proposed"
        p = Project.objects.create(
            code=rec["code"],
            category=rec["category"],
            county_id=rec["county_id"],
            region_path=rec["county_path"],
            year=rec["year"],
            stage=stage,
            notice_date=rec["notice_date"],
            completed_date=rec["completed_date"],
            accepted_date=rec["accepted_date"],
            **values,
        )
        areas = [area_ids[a] for a in rec["areas"]]
        ProjectArea.objects.bulk_create(
            ProjectArea(project=p, region=a, region_path=a.path) for a in areas
        )
        changes.append(
            Change(
                "project.create",
                "projects.project",
                str(p.pk),
                p.region_path,
                None,
                {"code": p.code, "stage": stage, "areas": rec["areas"]},
                source,
            )
        )
        if stage == "proposed":
            villages = [a for a in areas if a.level == "village"] or areas
            lifecycle.open(actor=actor, project=p, village=villages[0])
        created += 1
    record_many(changes, actor=actor, batch=source[-40:])
    return {"projects_created": created, "projects_updated": updated}


PROJECTS = register(
    Table(
        "projects",
        "项目库",
        "项目库",
        "project library",
        columns.PROJECTS,
        ("planned_amount",),
        (Perm.IMPORT, Perm.EDIT),
        _check_projects,
        _apply_projects,
        {
            "code": "XM-2021-001",
            "name": "某村产业路硬化",
            "category": "基础设施—道路",
            "county_code": "530822000000",
            "areas": "530822100201",
            "year": "2021",
            "planned_amount": "500000.00",
            "implementer": "县交通运输局",
        },
    )
)


def _check_beneficiaries(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    out, errors = _resolve_projects(df, actor)
    out = out.join(
        lookups.households(out["household_no"].unique().to_list()), on="household_no", how="left"
    )
    scope = lookups.scope_of(actor)
    bad = (
        pl.col("household_id").is_null()
        | ~lookups.under("household_path", scope).fill_null(False)
        | ~pl.col("household_path").str.starts_with(pl.col("project_path")).fill_null(True)
    )
    errors += row_errors(
        out,
        bad,
        ZB["household_no"],
        "household_no",
        "户{household_no}不存在、不在您的辖区或不在项目所在县",
        "household {household_no}: none in your region or the project's county",
    )
    errors += _dups(out, ["project_code", "household_no"], "project_code")
    ids = out["project_id"].drop_nulls().unique().to_list()
    stored = pl.DataFrame(
        select_in(
            "SELECT project_id, household_id, mechanism, expected_amount FROM "
            "projects_beneficiary WHERE project_id IN ({})",
            ids,
        ),
        orient="row",
        schema={
            "project_id": pl.Int64,
            "household_id": pl.Int64,
            "s_mechanism": pl.String,
            "s_expected": pl.Int64,
        },
    )
    return out.join(stored, on=["project_id", "household_id"], how="left"), errors


def _apply_beneficiaries(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
    df = df.with_columns(pl.col("expected_amount").fill_null(0))
    changed = df.filter(
        pl.col("s_mechanism").is_null()
        | (pl.col("s_mechanism") != pl.col("mechanism"))
        | (pl.col("s_expected") != pl.col("expected_amount"))
    )
    changes = []
    for rec in changed.iter_rows(named=True):
        Beneficiary.objects.update_or_create(
            project_id=rec["project_id"],
            household_id=rec["household_id"],
            defaults={
                "region_path": rec["household_path"],
                "mechanism": rec["mechanism"],
                "expected_amount": yuan_of(rec["expected_amount"]),
            },
        )
        before = (
            None
            if rec["s_mechanism"] is None
            else {"mechanism": rec["s_mechanism"], "expected_fen": rec["s_expected"]}
        )
        changes.append(
            Change(
                "project.beneficiary",
                "projects.beneficiary",
                f"{rec['project_code']}/{rec['household_no']}",
                rec["household_path"],
                before,
                {"mechanism": rec["mechanism"], "expected_fen": rec["expected_amount"]},
                source,
            )
        )
    record_many(changes, actor=actor, batch=source[-40:])
    return {"beneficiaries_written": changed.height}


BENEFICIARIES = register(
    Table(
        "beneficiaries",
        "受益户",
        "项目受益户",
        "beneficiaries",
        columns.BENEFICIARIES,
        ("expected_amount",),
        (Perm.IMPORT, Perm.EDIT),
        _check_beneficiaries,
        _apply_beneficiaries,
        {
            "project_code": "XM-2021-001",
            "household_no": "示例-0001",
            "mechanism": "务工收入",
            "expected_amount": "3000.00",
        },
    )
)
