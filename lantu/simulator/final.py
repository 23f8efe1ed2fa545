"""The files written once, after the last year: regions and their poverty status, the registry's
household and member tables with their links to the truth, the truth's person and household
tables, the assistance tables (work teams, measures) and the departments' datasets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from lantu.registry import codes
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from lantu.simulator import registry as rg
from lantu.simulator.economy import public_start
from lantu.simulator.geography import Geography
from lantu.simulator.params import Params, stream
from lantu.simulator.people import World
from lantu.simulator.tables import household_no, slugs, village_code, write

if TYPE_CHECKING:
    from lantu.simulator.run import Buffers

MON = ["", "unstable", "marginal", "sudden"]


def write_final(
    w: World, p: Params, geo: Geography, buf: Buffers, out: Path, seed: int, years: tuple[int, int]
) -> None:
    _regions(w, p, geo, buf, out, years)
    _registry(w, p, buf, out, seed, years[1])
    _truth(w, out)
    _assistance(w, p, geo, out, seed, years)
    buf.sink.finish(years[1])


def _regions(
    w: World, p: Params, geo: Geography, buf: Buffers, out: Path, years: tuple[int, int]
) -> None:
    write(geo.regions, out / "observed" / "regions.parquet")
    inc = pl.concat(buf.incidence).with_columns(
        low=(pl.col("poor_people") < 0.03 * pl.col("people")) & (pl.col("year") > years[0])
    )
    v = geo.villages.with_columns(village_idx=pl.int_range(0, geo.villages.height))
    first_low = (
        inc.filter("low").group_by("village_idx").agg(pl.col("year").min().alias("low_year"))
    )
    v = v.join(first_low, on="village_idx", how="left").join(
        geo.counties.select(
            pl.col("code").alias("county"), pl.col("exit_year").alias("county_exit")
        ),
        on="county",
        how="left",
    )
    v = v.with_columns(
        exited_year=pl.when("poor_2014")
        .then(pl.min_horizontal(pl.col("low_year").fill_null(2020), pl.lit(2020)))
        .otherwise(None)
    )
    span = pl.DataFrame({"year": list(range(years[0], years[1] + 1))})
    villages = (
        v.select("code", "exited_year")
        .join(span, how="cross")
        .with_columns(
            level=pl.lit("village"),
            is_poor=pl.col("exited_year").is_not_null() & (pl.col("year") < pl.col("exited_year")),
        )
    )
    counties = (
        geo.counties.select(
            "code", pl.when(pl.col("poor")).then("exit_year").otherwise(None).alias("exited_year")
        )
        .join(span, how="cross")
        .with_columns(
            level=pl.lit("county"),
            is_poor=pl.col("exited_year").is_not_null() & (pl.col("year") < pl.col("exited_year")),
        )
    )
    cols = ["code", "level", "year", "is_poor", "exited_year"]
    casts = (pl.col("exited_year").cast(pl.Int32), pl.col("year").cast(pl.Int32))
    status = pl.concat(
        [counties.select(cols).with_columns(*casts), villages.select(cols).with_columns(*casts)]
    )
    write(status.sort("code", "year"), out / "observed" / "poverty_status.parquet")


def _registry(w: World, p: Params, buf: Buffers, out: Path, seed: int, end: int) -> None:
    H = w.H
    rng = stream(seed, "registry-final")
    hh = np.flatnonzero(H["hh_seq"] > 0)
    nos = household_no(w, hh)
    status = H["reg"][hh]
    households = pl.DataFrame(
        {
            "household_no": nos,
            "region_code": village_code(w, hh),
            "household_type": slugs(codes.HOUSEHOLD_TYPE, H["hh_type"][hh]),
            "registration_year": H["reg_year"][hh].astype(np.int32),
            "status": slugs(codes.STATUS, status),
            "monitoring_type": pl.Series(MON)
            .gather(H["mon_type"][hh].astype(np.int64))
            .replace("", None),
            "exit_year": pl.Series(H["exit_year"][hh].astype(np.int32)).replace(0, None),
            "planned_exit_year": pl.Series(H["planned_exit"][hh].astype(np.int32)).replace(0, None),
            "relocated": H["relocated"][hh] > 0,
            "address": village_code(w, hh).str.slice(9, 3) + "号",
            "phone": pl.Series(1_3800_000_000 + rng.integers(0, 99_999_999, len(hh))).cast(
                pl.String
            ),
            "bank_account": pl.Series(
                6_217_000_000_000_000 + rng.integers(0, 10**12, len(hh))
            ).cast(pl.String),
        }
    ).select([c.name for c in HOUSEHOLD_COLUMNS])
    write(households, out / "observed" / "registry" / "households.parquet")
    buf.sink.registry_phones(hh, households["phone"])  # the departments' forms give it
    write(
        pl.DataFrame({"household_no": nos, "household_id": hh}),
        out / "truth" / "links" / "registry_households.parquet",
    )
    _members(w, p, rng, hh, out, end)


def _members(
    w: World, p: Params, rng: np.random.Generator, hh: np.ndarray, out: Path, end: int
) -> None:
    P, H = w.P, w.H
    in_reg = np.zeros(w.n_households, dtype=bool)
    in_reg[hh] = True
    reg_year = H["reg_year"][P["hh"]]
    rows = np.flatnonzero(in_reg[P["hh"]] & (P["present"] | (P["left_year"] >= reg_year)))
    moves = w.extra.get("moves", np.zeros((0, 5), dtype=np.int64))
    moves = moves[in_reg[moves[:, 1]] & (moves[:, 3] >= H["reg_year"][moves[:, 1]])]
    person = np.concatenate([rows, moves[:, 0]])
    house = np.concatenate([P["hh"][rows], moves[:, 1]])
    reason = np.concatenate(
        [
            np.where(
                P["present"][rows],
                "",
                pl.Series(["", "death", "marriage", "split"])
                .gather(P["left_reason"][rows].astype(np.int64))
                .to_numpy(),
            ),
            np.full(len(moves), "split"),
        ]
    )
    rel = np.concatenate([P["rel"][rows], moves[:, 4]])  # a mover's relation in the old household
    left = np.concatenate([np.where(P["present"][rows], 0, P["left_year"][rows]), moves[:, 3]])
    order = np.lexsort((person, house))
    person, house, reason, rel = person[order], house[order], reason[order], rel[order]
    left = left[order]
    birth = P["birth"][person].astype(np.int64)
    wrong = rng.random(len(person)) < p.f("registry.birth_date_error")
    birth = np.where(wrong, birth + rng.choice([-30, 30, 365, -365], len(person)), birth)
    school, lab, edu = w.extra["last_school"], w.extra["last_lab"], w.extra["last_edu"]
    dibao = w.extra["last_dibao"][house]
    health = np.where(P["disab"] > 0, 3, np.where(P["serious"], 2, np.where(P["chronic"], 1, 0)))
    n = len(person)
    frame = pl.DataFrame(
        {
            "household_no": household_no(w, house),
            "name": w.series["reg_name"].gather(person),
            "id_number": w.series["reg_id"].gather(person),
            "sex": pl.Series(["1", "2"]).gather(P["sex"][person].astype(np.int64) - 1),
            "birth_date": birth.astype("datetime64[D]"),
            "relation": slugs(codes.RELATION, rel),
            "ethnicity": pl.Series(P["eth"][person]).cast(pl.String).str.zfill(2),
            "education": slugs(codes.EDUCATION, edu[person]),
            "schooling": slugs(codes.SCHOOLING, school[person]),
            "health": slugs(codes.HEALTH, health[person]),
            "disability_grade": pl.Series(P["disab"][person].astype(np.int32)).replace(0, None),
            "labour": slugs(codes.LABOUR, lab[person]),
            "work": slugs(codes.WORK, P["work"][person]),
            "work_months": P["months"][person].astype(np.int32),
            "dibao": dibao,
            "tekun": H["hh_type"][house] == rg.T_TEKUN,
            "medical_insurance": P["insured"][person],
            "serious_illness_insurance": P["insured"][person],
            # Every registered person who is insured is in medical assistance's scope: the
            # 2018-2020 plan (医保发〔2018〕18号) put the whole registered poor population under
            # basic insurance, serious-illness insurance and medical assistance.
            "medical_assistance": P["insured"][person],
            "pension_insurance": P["pension"][person],
            "member_phone": pl.Series([None] * n, dtype=pl.String),
            "left_reason": pl.Series(reason).replace("", None),
            "left_year": pl.Series(left.astype(np.int32)).replace(0, None),
        }
    ).select("household_no", *[c.name for c in MEMBER_COLUMNS])
    write(frame, out / "observed" / "registry" / "members.parquet")
    write(
        pl.DataFrame(
            {
                "household_no": frame["household_no"],
                "id_number": frame["id_number"],
                "person_id": person,
            }
        ),
        out / "truth" / "links" / "registry_members.parquet",
    )


def _truth(w: World, out: Path) -> None:
    P, H = w.P, w.H
    write(
        pl.DataFrame(
            {
                "person_id": np.arange(w.n_people),
                "id_number": w.series["id"],
                "name": w.series["name"],
                "sex": pl.Series(["1", "2"]).gather(P["sex"].astype(np.int64) - 1),
                "birth_date": P["birth"].astype("datetime64[D]"),
                "ethnicity": pl.Series(P["eth"]).cast(pl.String).str.zfill(2),
                "birthplace": pl.Series(P["birthplace"]).cast(pl.String),
                "joined_year": P["joined"],
                "left_year": pl.Series(P["left_year"]).replace(0, None),
                "left_reason": pl.Series(["", "death", "marriage", "split"])
                .gather(P["left_reason"].astype(np.int64))
                .replace("", None),
                "household_id": P["hh"],
                # The year a person entered public employment (财政供养人员), null if never.
                "public_employee_from": pl.Series(public_start(w)).replace(0, None),
            }
        ),
        out / "truth" / "persons.parquet",
    )
    write(
        pl.DataFrame(
            {
                "household_id": np.arange(w.n_households),
                "village_code": village_code(w, np.arange(w.n_households)),
                "created_year": H["created"],
                "parent_household_id": H["parent"],
                "dissolved_year": pl.Series(H["dissolved"]).replace(0, None),
                "favouritism": H["favour"],
                "report_bias": H["report"],
            }
        ),
        out / "truth" / "households.parquet",
    )


def _assistance(
    w: World, p: Params, geo: Geography, out: Path, seed: int, years: tuple[int, int]
) -> None:
    rng = stream(seed, "assistance")
    H = w.H
    spec = p.get("assistance.work_team")
    v = geo.villages
    rot = [r for r in spec["rotations"] if years[0] <= r <= years[1]]
    with_team = v["poor_2014"].to_numpy() | (rng.random(v.height) < float(spec["nonpoor_share"]))
    teams = np.repeat(np.flatnonzero(with_team), len(rot))
    start = np.tile(rot, int(with_team.sum()))
    size = 1 + rng.poisson(float(spec["members_mean"]) - 1, len(teams))
    # Mid-term replacements: a second first secretary for some terms, joining the same team.
    extra = rng.random(len(teams)) < float(spec["replacement"])
    teams = np.concatenate([teams, teams[extra]])
    start = np.concatenate([start, start[extra] + 1])
    size = np.concatenate([size, np.ones(int(extra.sum()), dtype=size.dtype)])
    member_team = np.repeat(np.arange(len(teams)), size)
    rank = np.arange(len(member_team)) - np.repeat(np.cumsum(size) - size, size)
    write(
        pl.DataFrame(
            {
                "team_id": member_team,
                "village_code": v["code"].gather(teams[member_team]),
                "start_year": start[member_team].astype(np.int32),
                "role": np.where(rank == 0, "first_secretary", "member"),
                "cadre_no": np.arange(len(member_team)),
            }
        ),
        out / "observed" / "assistance" / "work_teams.parquet",
    )
    measures = []
    hh = np.flatnonzero(H["hh_seq"] > 0)
    for name, col in (
        ("industry", "industry"),
        ("relocation", "relocated"),
        ("renovation", "renovated"),
    ):
        sel = hh[H[col][hh] > 0]
        measures.append(
            pl.DataFrame(
                {
                    "household_no": household_no(w, sel),
                    "measure": name,
                    "year": H[col][sel].astype(np.int32),
                }
            )
        )
    write(
        pl.concat(measures).sort("household_no", "measure"),
        out / "observed" / "assistance" / "measures.parquet",
    )
