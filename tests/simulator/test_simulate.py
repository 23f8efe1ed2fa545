import hashlib

import numpy as np
import polars as pl
import pytest

from lantu.regions.services import read_division_rows
from lantu.registry import codes
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS
from lantu.simulator import departments, identity
from lantu.simulator.params import Params
from lantu.simulator.run import simulate

P = Params.load()


def _read(run, path):
    return pl.read_parquet(run / path)


def test_registry_tables_use_the_registry_columns_and_codes(county_run):
    h = _read(county_run, "observed/registry/households.parquet")
    m = _read(county_run, "observed/registry/members.parquet")
    y = _read(county_run, "observed/registry/years.parquet")
    assert h.columns == [c.name for c in HOUSEHOLD_COLUMNS]
    assert m.columns == ["household_no", *[c.name for c in MEMBER_COLUMNS]]
    assert y.columns == ["household_no", *[c.name for c in YEAR_COLUMNS]]
    for frame in (h, m, y):
        for col in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS, *YEAR_COLUMNS):
            if col.codes and col.name in frame.columns:
                used = set(frame[col.name].drop_nulls().unique())
                assert used <= {c.code for c in col.codes}, col.name
    assert h["household_no"].is_unique().all()
    assert y.select("household_no", "year").is_unique().all()
    assert set(y["household_no"]) <= set(h["household_no"])
    parts = y["wage_income"] + y["business_income"] + y["property_income"] + y["transfer_income"]
    assert (parts == y["total_income"]).all()
    assert set(m["left_reason"].drop_nulls()) <= {"death", "marriage", "split"}


def test_member_years_give_the_education_attained_that_year(county_run):
    m = _read(county_run, "observed/registry/members.parquet").select(
        "household_no", "id_number", "birth_date"
    )
    y = _read(county_run, "observed/registry/member_years/2019.parquet").join(
        m, on=["household_no", "id_number"]
    )
    age = 2019 - pl.col("birth_date").dt.year()
    assert set(y["education"].drop_nulls()) <= {c.code for c in codes.EDUCATION}
    # the level they are in (a recorded birth date can be a year off: 0.5%)
    young = y.filter(age.is_between(6, 11))
    assert young.height and (young["education"] == "primary").mean() > 0.97
    teens = y.filter(age.is_between(12, 14))
    assert teens.height and (teens["education"] == "junior").mean() > 0.97


def test_registry_statuses_follow_the_campaign(county_run):
    h = _read(county_run, "observed/registry/households.parquet")
    status = set(h["status"])
    assert {"exited", "removed", "monitored"} <= status
    assert "poor" not in status  # the campaign closed in 2020
    exited = h.filter(pl.col("status") == "exited")
    assert exited["exit_year"].is_between(2015, 2020).all()


def test_id_numbers_are_valid_unique_and_born_in_yunnan(county_run):
    persons = _read(county_run, "truth/persons.parquet")
    ids = persons["id_number"]
    assert ids.str.len_chars().eq(18).all() and ids.is_unique().all()
    assert identity.check_char_ok(ids).all()
    counties = {r["code"][:6] for r in read_division_rows() if r["level"] == "county"}
    assert set(ids.str.slice(0, 6)) <= counties
    born = ids.str.slice(6, 8).str.to_date("%Y%m%d")
    assert (born == persons["birth_date"]).all()


def test_registry_id_noise_rate_is_what_was_asked(county_run):
    link = _read(county_run, "truth/links/registry_members.parquet")
    persons = _read(county_run, "truth/persons.parquet").select("person_id", "id_number")
    joined = link.join(persons, on="person_id", suffix="_true")
    wrong = (joined["id_number"] != joined["id_number_true"]).to_numpy()
    asked = P.f("registry.id_typo") + P.f("registry.id_transpose")
    n = len(wrong)
    # Persons appear once per membership; the noise is per person, so test within 5 sd.
    assert abs(wrong.mean() - asked) < 5 * np.sqrt(asked * (1 - asked) / n) + 1 / n
    assert not identity.check_char_ok(joined.filter(pl.Series(wrong))["id_number"]).any()


def test_every_observed_record_has_its_truth(county_run):
    persons = _read(county_run, "truth/persons.parquet")
    for dept, cols in departments.COLUMNS.items():
        records = _read(county_run, f"observed/departments/{dept}.parquet")
        link = _read(county_run, f"truth/links/{dept}.parquet")
        assert records.columns == cols
        assert records.height > 0, dept
        assert records["record_id"].sort().equals(link["record_id"].sort())
        assert link["person_id"].is_in(persons["person_id"].implode()).all()
        ids = records.join(link, on="record_id").join(
            persons.select("person_id", pl.col("id_number").alias("true_id")), on="person_id"
        )
        same = (ids[cols[1]] == ids["true_id"]).mean()
        assert same > 0.85, dept  # each department's own gaps and typos, but mostly right
    members = _read(county_run, "observed/registry/members.parquet")
    link = _read(county_run, "truth/links/registry_members.parquet")
    assert link.height == members.height
    h_link = _read(county_run, "truth/links/registry_households.parquet")
    households = _read(county_run, "observed/registry/households.parquet")
    assert set(h_link["household_no"]) == set(households["household_no"])


def test_household_size_age_and_shares_are_plausible(county_run):
    py = _read(county_run, "truth/person_years/2014.parquet")
    sizes = py.group_by("household_id").len()["len"]
    assert 3.3 < sizes.mean() < 4.3
    shares = np.array(P.get("households.size_shares"))
    assert abs((sizes == 1).mean() - shares[0]) < 0.03
    child, old = (py["age"] < 15).mean(), (py["age"] >= 65).mean()
    assert 0.12 < child < 0.30 and 0.05 < old < 0.18
    persons = _read(county_run, "truth/persons.parquet")
    assert 0.45 < (persons["sex"] == "2").mean() < 0.55
    assert 0.1 < (persons["ethnicity"] != "01").mean() < 0.8


def test_incomes_rise_and_true_poverty_falls(county_run):
    first = _read(county_run, "truth/household_years/2014.parquet")
    last = _read(county_run, "truth/household_years/2020.parquet")
    assert last["pc"].median() > 1.4 * first["pc"].median()
    assert last["true_poor"].mean() < first["true_poor"].mean()
    assert first["true_poor"].mean() > 0.1


def test_the_2014_register_carries_inclusion_and_exclusion_errors(county_run):
    hy = _read(county_run, "truth/household_years/2014.parquet")
    registered = hy.filter(pl.col("registry_status") == "poor")
    wrongly_in = (~registered["true_poor"]).mean()
    missed = hy.filter(pl.col("true_poor") & (pl.col("registry_status") != "poor")).height
    assert 0.03 < wrongly_in < 0.25
    assert missed > 0.03 * hy["true_poor"].sum()


def test_regions_are_real_counties_and_generated_villages(county_run):
    regions = _read(county_run, "observed/regions.parquet")
    assert regions.columns == ["code", "name", "level", "type", "parent_code"]
    assert regions["code"].str.len_chars().eq(12).all()
    real = {r["code"] for r in read_division_rows()}
    assert set(regions.filter(pl.col("level").is_in(["county", "prefecture"]))["code"]) <= real
    towns = regions.filter(pl.col("level") == "township")
    assert towns["code"].str.ends_with("000").all()
    villages = regions.filter(pl.col("level") == "village")
    assert villages["parent_code"].is_in(towns["code"].implode()).all()
    status = _read(county_run, "observed/poverty_status.parquet")
    assert status.filter((pl.col("level") == "county") & (pl.col("year") == 2014))["is_poor"].all()
    assert not status.filter(pl.col("year") == 2021)["is_poor"].any()


def _digest(folder):
    return {
        str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*.parquet"))
    }


@pytest.mark.parametrize("preset", ["county"])
def test_same_seed_gives_identical_files(tmp_path, preset):
    a = simulate(preset, tmp_path / "a", seed=3, people=1500, progress=False)
    b = simulate(preset, tmp_path / "b", seed=3, people=1500, progress=False)
    c = simulate(preset, tmp_path / "c", seed=4, people=1500, progress=False)
    da, db, dc = _digest(a), _digest(b), _digest(c)
    assert len(da) > 40 and da == db
    assert da != dc


def test_shocks_bring_returns_and_monitoring_follows_the_campaign(county_run):
    hy = pl.concat(
        [_read(county_run, f"truth/household_years/{y}.parquet") for y in range(2016, 2026)],
        how="vertical_relaxed",
    ).with_columns(pl.col("registry_status").cast(pl.String))
    assert hy.filter(pl.col("registry_status") == "returned").height > 0
    late = hy.filter(pl.col("year") >= 2021)
    at_risk = late.filter(pl.col("true_monitoring").is_not_null())
    assert 0.005 < at_risk.height / late.height < 0.2
    shocked = late.select(pl.col("^shock_.*$")).select(pl.any_horizontal(pl.all())).to_series()
    assert shocked.mean() > 0.05
    monitored = late.filter(pl.col("registry_status") == "monitored")
    # Most monitored households are truly at risk (the channels are imperfect, not random).
    assert monitored["true_monitoring"].is_not_null().mean() > 0.3
