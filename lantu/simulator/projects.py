"""Projects, funds and payments for a simulation, with the faults planted in them recorded as
truth (``lantu simulate`` calls ``write`` once the registry is written).

Calibrated to the seed figures (``projects.yaml``, DOMAIN.md §10), scaled by the simulated share
of the rural population: the integrated agriculture funds made available to the counties over
2016–2020 total 184.122 billion yuan at full scale, split by county in proportion to registered
households; industry projects reach 1,685,300 registered households through 29,500 business
entities (the projects' implementers); relocation projects, one per resettlement site (2,832),
move the households the registry marks as relocated (996,000 people at full scale, or as many as
the registry has); each village gets an infrastructure project, each poor village (2014) the four of
the exit standard: hardened road, power, broadband and a service station (public services).
Allocations take a fixed share of what is available; industry projects pay their beneficiaries a
share of their allocation.

Planted faults (``truth/projects/faults.parquet``: check, key as the checks name it): payments to
a payee who is not a member (a valid ID number of no one in the household), a household paid twice
(the same payment again under a new voucher), projects implemented without a notice date, and
projects accepted without an acceptance date. ``observed/projects/*.parquet`` are the importer's
tables as strings (``lantu.projects.simload`` loads them).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from lantu.simulator.params import stream

PARAMS = Path(__file__).with_name("projects.yaml")
ELIGIBLE = ("poor", "exited", "returned", "monitored", "risk_eliminated")
INFRA = ("road", "water", "power", "broadband")
POOR_VILLAGE_INFRA = ("road", "power", "broadband", "public_services")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _p(tree: dict, dotted: str) -> object:
    node = tree
    for part in dotted.split("."):
        node = node[part]
    return node["value"]


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    """Valid GB 11643 numbers (Yunnan birthplace codes), of no one in the registry (order 9xx)."""
    out = []
    for i in range(n):
        born = f"19{rng.integers(50, 99):02d}0{rng.integers(1, 9)}1{rng.integers(0, 9)}"
        body = f"5308{rng.integers(10, 30):02d}{born}9{i % 100:02d}"
        total = sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True))
        out.append(body + "10X98765432"[total % 11])
    return out


def write(out: Path, seed: int) -> dict[str, float]:
    tree = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    obs, truth = out / "observed", out / "truth"
    manifest = json.loads((obs / "manifest.json").read_text())
    scale = manifest["people"] / manifest["full_rural_people"]
    rng = stream(seed, "projects")
    hh = pl.read_parquet(obs / "registry" / "households.parquet").filter(
        pl.col("status").is_in(ELIGIBLE)
    )
    hh = hh.with_columns(
        (pl.col("region_code").str.slice(0, 6) + "000000").alias("county"),
        pl.col("region_code").str.slice(0, 12).alias("village"),
    )
    members = pl.read_parquet(obs / "registry" / "members.parquet").filter(
        pl.col("left_reason").fill_null("") == ""
    )
    size = members.group_by("household_no").agg(pl.len().alias("size"))
    hh = (
        hh.join(size, on="household_no", how="left")
        .with_columns(pl.col("size").fill_null(1))
        .sort("household_no")
    )
    years = list(_p(tree, "years"))  # type: ignore[call-overload]
    projects: list[dict[str, object]] = []
    bens: list[dict[str, object]] = []
    # --- industry: households reached, through business entities ----------------------------
    n_ind = min(hh.height, round(float(_p(tree, "seed_figures.industry_households")) * scale))  # type: ignore[arg-type]
    reached = hh.sample(n_ind, seed=seed, shuffle=True)
    per = int(_p(tree, "households_per_industry_project"))  # type: ignore[call-overload]
    n_entities = max(1, round(float(_p(tree, "seed_figures.business_entities")) * scale))  # type: ignore[arg-type]
    for i, start in enumerate(range(0, reached.height, per)):
        part = reached.slice(start, per)
        code = f"CY{part['county'][0][:6]}{i:06d}"
        projects.append(
            {
                "code": code,
                "category": "industry",
                "county_code": part["county"][0],
                "areas": "、".join(sorted(set(part["village"]))),
                "year": years[i % len(years)],
                "implementer": f"合作社{i % n_entities:05d}",
                "weight": float(part.height),
            }
        )
        bens += [
            {
                "project_code": code,
                "household_no": h,
                "mechanism": ["wages", "dividends", "land_rent", "subsidy"][j % 4],
            }
            for j, h in enumerate(part["household_no"])
        ]
    # --- relocation: one project per site ------------------------------------------------------
    moved = hh.filter(pl.col("relocated").fill_null(False))
    n_sites = max(1, round(float(_p(tree, "seed_figures.relocation_sites")) * scale))  # type: ignore[arg-type]
    for s in range(n_sites):
        part = moved.gather_every(n_sites, offset=s) if moved.height > s else moved.clear()
        if not part.height:
            continue
        code = f"BQ{part['county'][0][:6]}{s:05d}"
        projects.append(
            {
                "code": code,
                "category": "relocation",
                "county_code": part["county"][0],
                "areas": part["village"][0],
                "year": years[s % len(years)],
                "implementer": "县易地扶贫搬迁工作领导小组",
                "weight": float(part["size"].sum()) * 3,
            }
        )
        bens += [
            {"project_code": code, "household_no": h, "mechanism": "subsidy"}
            for h in part["household_no"]
        ]
    # --- infrastructure: per village; the poor villages get the four of the exit standard --------
    # (hardened road, power, broadband and a service station — DOMAIN.md §10: all 8,502 poor
    # villages had them by 2020), the others one project
    status = pl.read_parquet(obs / "poverty_status.parquet")
    poor = set(
        status.filter(
            (pl.col("level") == "village") & (pl.col("year") == 2014) & pl.col("is_poor")
        )["code"]
    )
    villages = hh.select("village", "county").unique().sort("village")
    for k, (v, c) in enumerate(villages.iter_rows()):
        kinds = POOR_VILLAGE_INFRA if v in poor else (INFRA[k % len(INFRA)],)
        for j, kind in enumerate(kinds):
            projects.append(
                {
                    "code": f"JC{v}" if j == 0 else f"JC{v}-{j}",
                    "category": kind,
                    "county_code": c,
                    "areas": v,
                    "year": years[(k + j) % len(years)],
                    "implementer": "县交通运输局",
                    "weight": 60.0,
                }
            )
    proj = pl.DataFrame(projects)
    # --- funds: integrated availability by county (∝ registered households), allocations -------
    target = float(_p(tree, "seed_figures.integrated_funds_yuan")) * scale  # type: ignore[arg-type]
    share = float(_p(tree, "integrated_share_allocated"))  # type: ignore[arg-type]
    by_county = hh.group_by("county").agg(pl.len().alias("n")).sort("county")
    fen_total = round(target * 100)
    by_county = by_county.with_columns(
        (pl.col("n") / pl.col("n").sum() * fen_total / len(years))
        .floor()
        .cast(pl.Int64)
        .alias("fen")
    )
    funds = by_county.join(pl.DataFrame({"year": years}), how="cross").select(
        pl.col("county").alias("county_code"), pl.lit("integrated").alias("source"), "year", "fen"
    )
    w = proj.join(
        funds.rename({"county_code": "county_code", "fen": "avail"}), on=["county_code", "year"]
    )
    w = w.with_columns(
        (
            pl.col("weight")
            / pl.col("weight").sum().over(["county_code", "year"])
            * pl.col("avail")
            * share
        )
        .floor()
        .cast(pl.Int64)
        .alias("alloc")
    )
    proj = proj.join(w.select("code", "alloc"), on="code", how="left").with_columns(
        pl.col("alloc").fill_null(0)
    )
    # --- payments to industry beneficiaries ----------------------------------------------------
    pay_share = float(_p(tree, "industry_payment_share"))  # type: ignore[arg-type]
    b = (
        pl.DataFrame(bens)
        .join(
            proj.select(pl.col("code").alias("project_code"), "category", "alloc", "year"),
            on="project_code",
        )
        .sort("project_code", "household_no")
    )
    ind = b.filter(pl.col("category") == "industry")
    ind = ind.with_columns(pl.len().over("project_code").alias("nb"))
    n_pay = rng.integers(1, 3, ind.height)
    ind = ind.with_columns(pl.Series("k", n_pay)).with_columns(
        (pl.col("alloc") * pay_share / pl.col("nb") / pl.col("k") / 100)
        .floor()
        .cast(pl.Int64)
        .alias("yuan")
    )
    ind = ind.filter(pl.col("yuan") > 0)
    rows = ind.select("project_code", "household_no", "yuan", "year", "k").with_columns(
        pl.int_range(pl.len()).alias("i")
    )
    rows = rows.with_columns(pl.int_ranges(0, pl.col("k")).alias("n")).explode("n")
    f = tree["faults"]
    paid_twice = rng.random(rows.height) < float(f["paid_twice"]["value"])
    pays = rows.with_columns(
        (pl.lit("PZ") + pl.col("i").cast(pl.String) + "-" + pl.col("n").cast(pl.String)).alias(
            "voucher"
        ),
        (pl.lit("产业奖补第") + (pl.col("n") + 1).cast(pl.String) + "批").alias("item"),
        (pl.col("year").cast(pl.String) + "-0" + (pl.col("n") + 5).cast(pl.String) + "-15").alias(
            "date"
        ),
        pl.col("yuan").cast(pl.String).alias("amount"),
        pl.lit("").alias("payee_id_number"),
    )
    twice = pays.filter(pl.Series(paid_twice)).with_columns(
        (pl.col("voucher") + "R").alias("voucher")
    )
    outsider = np.asarray(rng.random(pays.height) < float(f["payee_not_member"]["value"]))
    strangers = _ids(rng, int(outsider.sum()))
    idx = np.flatnonzero(outsider)
    pid: list[str] = [""] * pays.height
    for i_row, stranger in zip(idx, strangers, strict=True):
        pid[i_row] = stranger
    pays = pl.concat([pays.with_columns(pl.Series("payee_id_number", pid, dtype=pl.String)), twice])
    # --- stages, dates and project faults ----------------------------------------------------
    n = proj.height
    no_notice = rng.random(n) < float(f["without_notice"]["value"])
    unaccepted = (rng.random(n) < float(f["unaccepted"]["value"])) & ~no_notice
    proj = proj.with_columns(
        pl.lit("assets").alias("stage"),
        pl.when(pl.Series(no_notice))
        .then(pl.lit(""))
        .otherwise(pl.col("year").cast(pl.String) + "-03-01")
        .alias("notice_date"),
        (pl.col("year").cast(pl.String) + "-10-30").alias("completed_date"),
        pl.when(pl.Series(unaccepted))
        .then(pl.lit(""))
        .otherwise(pl.col("year").cast(pl.String) + "-12-15")
        .alias("accepted_date"),
    )
    _write(obs / "projects", proj, bens, funds, pays)
    faults = (
        pl.concat(
            [
                pays.filter(pl.col("payee_id_number") != "").select(
                    pl.lit("payee_not_registered").alias("check"),
                    pl.col("household_no").alias("key"),
                ),
                twice.select(
                    pl.lit("household_paid_twice").alias("check"),
                    pl.col("household_no").alias("key"),
                ),
                proj.filter(pl.Series(no_notice)).select(
                    pl.lit("project_without_notice").alias("check"), pl.col("code").alias("key")
                ),
                proj.filter(pl.Series(unaccepted)).select(
                    pl.lit("completed_without_acceptance").alias("check"),
                    pl.col("code").alias("key"),
                ),
            ]
        )
        .unique()
        .sort("check", "key")
    )
    (truth / "projects").mkdir(parents=True, exist_ok=True)
    faults.write_parquet(truth / "projects" / "faults.parquet")
    return {"projects": proj.height, "payments": pays.height, "faults": faults.height}


def _write(
    folder: Path, proj: pl.DataFrame, bens: list[dict], funds: pl.DataFrame, pays: pl.DataFrame
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    six = {
        "funds_plan": "统筹整合财政涉农资金",
        "plan": "按实施方案建设",
        "approval_doc": "县扶贫开发领导小组批复",
        "notice_plan": "县、乡、村三级公示",
        "responsible_unit": "县行业主管部门",
        "responsible_person": "项目负责人",
        "supervision": "县扶贫办监管，年度绩效考核",
    }
    p = proj.with_columns(
        (pl.col("code") + pl.lit("项目")).alias("name"),
        pl.col("year").cast(pl.String),
        (pl.col("alloc") / 100).floor().cast(pl.Int64).cast(pl.String).alias("planned_amount"),
        *[pl.lit(v).alias(k) for k, v in six.items()],
    )
    cols = [
        "code",
        "name",
        "category",
        "county_code",
        "areas",
        "year",
        "planned_amount",
        "implementer",
        *six,
        "stage",
        "notice_date",
        "completed_date",
        "accepted_date",
    ]
    p.select(cols).sort("code").write_parquet(folder / "projects.parquet")
    pl.DataFrame(bens).sort("project_code", "household_no").write_parquet(
        folder / "beneficiaries.parquet"
    )
    funds.select(
        "county_code",
        "source",
        pl.col("year").cast(pl.String),
        (pl.col("fen") / 100).floor().cast(pl.Int64).cast(pl.String).alias("amount"),
    ).sort("county_code", "year").write_parquet(folder / "funds.parquet")
    proj.filter(pl.col("alloc") > 0).select(
        pl.col("code").alias("project_code"),
        pl.lit("integrated").alias("source"),
        pl.col("year").cast(pl.String),
        (pl.col("alloc") / 100).floor().cast(pl.Int64).cast(pl.String).alias("amount"),
    ).sort("project_code").write_parquet(folder / "allocations.parquet")
    pays.select(
        "project_code", "household_no", "voucher", "item", "payee_id_number", "amount", "date"
    ).sort("project_code", "voucher").write_parquet(folder / "disbursements.parquet")
