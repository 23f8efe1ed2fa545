"""The identifying fields the departments hold beside ID number and name."""

import polars as pl

from lantu.matching import loads, schemas
from lantu.simulator import departments
from lantu.simulator.params import Params

P = Params.load()


def _joined(run, dept):
    records = pl.read_parquet(run / "observed" / "departments" / f"{dept}.parquet")
    link = pl.read_parquet(run / "truth" / "links" / f"{dept}.parquet")
    persons = pl.read_parquet(run / "truth" / "persons.parquet")
    true = persons.select(
        "person_id", pl.col("birth_date").alias("true_birth"), pl.col("sex").alias("true_sex")
    )
    return records.join(link, on="record_id").join(true, on="person_id")


def test_person_departments_record_birth_date_sex_and_hukou_village(county_run):
    wanted = P.get("departments.identifying")
    for dept in ("school_enrolment", "employment", "medical_bills"):
        assert set(wanted[dept]) <= set(departments.COLUMNS[dept])
        j = _joined(county_run, dept)
        assert j["hukou_region_code"].str.len_chars().eq(12).all(), dept
        assert (j["sex"] == j["true_sex"].cast(pl.String)).all(), dept
        wrong = (j["birth_date"] != j["true_birth"].cast(pl.Date)).mean()
        # a share entered a month or a year off, as asked (within a generous margin)
        assert 0 < wrong < 3 * P.f("departments.birth_date_error") + 0.005, dept


def test_disaster_reports_give_the_household_size_and_load_with_it(county_run):
    path = county_run / "observed" / "departments" / "disaster_reports.parquet"
    records = pl.read_parquet(path)
    assert records["household_size"].min() >= 1
    checked = loads.check(schemas.get("disaster_reports"), loads.read_path(path))
    assert checked.ok
    assert checked.frame["household_size"].to_list() == records["household_size"].to_list()
