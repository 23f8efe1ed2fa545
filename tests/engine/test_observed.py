"""The simulator's observed registry read as it stood in one year (``lantu.engine.observed``)."""

import datetime

import polars as pl
import pytest
from django.core.management import call_command

from lantu.core.errors import ValidationFailed
from lantu.engine.observed import registry_as_of, registry_folder
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS


def _frame(rows, columns, **types):
    return pl.DataFrame(
        [{c.name: r.get(c.name) for c in columns} | {"household_no": r["household_no"]}
         for r in rows],
        schema_overrides=types,
        infer_schema_length=None,
    )  # fmt: skip


@pytest.fixture
def simulation(tmp_path):
    """Four households in the simulator's layout, the latest statuses as of 2021:
    A exited 2018; B exited 2020 (so still poor in 2019); C monitored from 2021 only;
    D removed in 2016 (no record in 2019)."""
    reg = tmp_path / "observed" / "registry"
    (reg / "member_years").mkdir(parents=True)
    hh = [
        {"household_no": "A", "status": "exited", "exit_year": 2018, "registration_year": 2014},
        {"household_no": "B", "status": "exited", "exit_year": 2020, "registration_year": 2014},
        {"household_no": "C", "status": "monitored", "registration_year": 2021,
         "monitoring_type": "marginal"},
        {"household_no": "D", "status": "removed", "registration_year": 2014},
    ]  # fmt: skip
    for h in hh:
        h |= {"region_code": "530326001001", "household_type": "general"}
    _frame(hh, HOUSEHOLD_COLUMNS, exit_year=pl.Int32, registration_year=pl.Int32).write_parquet(
        reg / "households.parquet"
    )
    years = [
        {"household_no": no, "year": y, "size": 2, "wage_income": 5000.0}
        for no, ys in (("A", (2018, 2019, 2020, 2021)), ("B", (2018, 2019, 2020, 2021)),
                       ("C", (2021,)), ("D", (2014, 2015)))
        for y in ys
    ]  # fmt: skip
    _frame(years, YEAR_COLUMNS, year=pl.Int32, size=pl.Int32).write_parquet(reg / "years.parquet")
    born = datetime.date(1980, 1, 1)
    members = [
        {"household_no": "A", "name": "甲", "id_number": "1", "birth_date": born,
         "schooling": "not_student", "work": "none"},
        {"household_no": "A", "name": "乙", "id_number": "2", "birth_date": born,
         "left_reason": "death", "left_year": 2020},
        {"household_no": "B", "name": "丙", "id_number": "3", "birth_date": born},
    ]  # fmt: skip
    _frame(members, MEMBER_COLUMNS, left_year=pl.Int32).write_parquet(reg / "members.parquet")
    pl.DataFrame(
        {"household_no": ["A", "A", "B"], "id_number": ["1", "2", "3"], "year": [2019] * 3,
         "work": ["county", "none", "none"], "work_months": [6, 0, 0],
         "schooling": ["not_student"] * 3, "health": ["healthy"] * 3,
         "labour": ["ordinary"] * 3, "disability_grade": [0, 2, 0]},
        schema_overrides={"year": pl.Int32, "work_months": pl.Int32, "disability_grade": pl.Int32},
    ).write_parquet(reg / "member_years" / "2019.parquet")  # fmt: skip
    return tmp_path


def test_the_registry_as_it_stood_in_2019(simulation):
    assert registry_folder(simulation) == simulation / "observed" / "registry"
    t = {k: pl.from_arrow(v) for k, v in registry_as_of(simulation, 2019).items()}
    status = dict(t["households"].select("household_no", "status").iter_rows())
    assert status == {"A": "exited", "B": "poor"}  # C not yet monitored, D removed before
    b = t["households"].filter(pl.col("household_no") == "B").row(0, named=True)
    assert b["exit_year"] is None and b["monitoring_type"] is None
    m = {r["id_number"]: r for r in t["members"].iter_rows(named=True)}
    assert set(m) == {"1", "2", "3"}  # 乙 died in 2020: present in 2019
    assert m["2"]["left_reason"] is None and m["2"]["disability_grade"] == 2
    assert m["1"]["work"] == "county" and m["1"]["work_months"] == 6 and m["1"]["name"] == "甲"
    assert sorted(set(t["years"]["year"].to_list())) == [2018, 2019]


def test_the_years_education_when_the_simulation_records_it(simulation):
    reg = simulation / "observed" / "registry"
    members = pl.read_parquet(reg / "members.parquet")
    members.with_columns(education=pl.lit("college")).write_parquet(reg / "members.parquet")
    before = pl.from_arrow(registry_as_of(simulation, 2019)["members"])
    assert set(before["education"].to_list()) == {"college"}  # an older folder: the latest
    path = reg / "member_years" / "2019.parquet"
    pl.read_parquet(path).with_columns(education=pl.lit("junior")).write_parquet(path)
    after = pl.from_arrow(registry_as_of(simulation, 2019)["members"])
    assert set(after["education"].to_list()) == {"junior"}  # attained by 2019


def test_the_last_year_keeps_the_latest_status(simulation):
    reg = simulation / "observed" / "registry"
    pl.read_parquet(reg / "member_years" / "2019.parquet").with_columns(
        year=pl.lit(2021, pl.Int32)
    ).write_parquet(reg / "member_years" / "2021.parquet")
    h = pl.from_arrow(registry_as_of(simulation, 2021)["households"])
    assert dict(h.select("household_no", "status").iter_rows()) == {
        "A": "exited",
        "B": "exited",
        "C": "monitored",
    }


def test_a_year_not_simulated_is_refused(simulation):
    with pytest.raises(ValidationFailed, match="has no year 2030"):
        registry_as_of(simulation, 2030)


def test_lantu_evaluate_reads_a_simulation_folder(simulation, tmp_path):
    out = tmp_path / "r.parquet"
    call_command("evaluate", "--year", "2019", "--input-dir", str(simulation), "--out", str(out))
    r = pl.read_parquet(out)
    assert sorted(r["household_no"].to_list()) == ["A", "B"]
    exit_rule = dict(r.select("household_no", "household_exit").iter_rows())
    assert exit_rule["A"] is None  # already exited: the exit standard does not apply
