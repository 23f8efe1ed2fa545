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


def test_real_estate_and_business_give_the_registry_households_phone_mostly(county_run):
    wanted = P.get("departments.identifying")
    members = pl.read_parquet(county_run / "truth" / "links" / "registry_members.parquet")
    phones = pl.read_parquet(county_run / "observed" / "registry" / "households.parquet")
    registry = (  # a member who left (died, married out) may have given the old household's
        members.join(phones.select("household_no", "phone"), on="household_no")
        .group_by("person_id")
        .agg(pl.col("phone").alias("registry_phones"))
    )
    for dept, col in departments.PHONE.items():
        assert "phone" in wanted[dept] and col in departments.COLUMNS[dept]
        path = county_run / "observed" / "departments" / f"{dept}.parquet"
        records = pl.read_parquet(path)
        assert records[col].str.contains(r"^1\d{10}$").all(), dept
        link = pl.read_parquet(county_run / "truth" / "links" / f"{dept}.parquet")
        j = records.join(link, on="record_id").join(registry, on="person_id", how="left")
        ours = j.filter(pl.col("registry_phones").is_not_null())
        same = ours.select(pl.col("registry_phones").list.contains(pl.col(col)).mean()).item()
        changed = float(P.get("departments.phone_changed")[dept])
        # A share gives another number, as asked; the tolerance is 0.1 or three binomial standard
        # errors of this small sample (about 100 vehicle records), whichever is wider.
        spread = max(0.1, 3 * ((1 - changed) * changed / max(ours.height, 1)) ** 0.5)
        assert 1 - changed - spread < same < 1, (dept, same, ours.height)
        # People outside the registry give numbers of their own, not a registry household's.
        others = j.filter(pl.col("registry_phones").is_null())
        assert others.height > 0
        assert others[col].is_in(phones["phone"].implode()).mean() < 0.05, dept
        checked = loads.check(schemas.get(dept), loads.read_path(path))
        assert checked.ok and checked.frame["phone"].to_list() == records[col].to_list()


def test_vehicles_give_the_owners_hukou_village_and_load_it_as_the_place(county_run):
    wanted = P.get("departments.identifying")["vehicles"]
    assert "hukou_region_code" in wanted and "hukou_region_code" in departments.COLUMNS["vehicles"]
    path = county_run / "observed" / "departments" / "vehicles.parquet"
    j = _joined(county_run, "vehicles")
    persons = pl.read_parquet(county_run / "truth" / "persons.parquet")
    households = pl.read_parquet(county_run / "truth" / "households.parquet")
    village = persons.join(households, on="household_id").select("person_id", "village_code")
    j = j.join(village, on="person_id")
    assert j.height > 0 and j["hukou_region_code"].str.len_chars().eq(12).all()
    # The owner's village (a head who moved household since is the rare exception).
    assert (j["hukou_region_code"] == j["village_code"]).mean() > 0.95
    checked = loads.check(schemas.get("vehicles"), loads.read_path(path))
    records = pl.read_parquet(path)
    assert checked.ok
    assert checked.frame["region_code"].to_list() == records["hukou_region_code"].to_list()


def test_public_employees_are_paid_into_their_household_and_listed_from_their_start(county_run):
    """A serving public employee's salary (income.public_salary) is household wage income from
    the year of appointment; the department's roster gives that year."""
    from lantu.simulator.economy import public_salary

    persons = pl.read_parquet(county_run / "truth" / "persons.parquet")
    emp = persons.filter(pl.col("public_employee_from").is_not_null())
    assert emp.height > 0
    roster = pl.read_parquet(county_run / "observed" / "departments" / "public_employees.parquet")
    links = pl.read_parquet(county_run / "truth" / "links" / "public_employees.parquet")
    listed = roster.join(links, on="record_id").join(persons, on="person_id")
    assert listed.height > 0
    assert (listed["start_year"] == listed["public_employee_from"]).all()
    year = 2025
    py = pl.read_parquet(county_run / "truth" / "person_years" / f"{year}.parquet")
    hy = pl.read_parquet(county_run / "truth" / "household_years" / f"{year}.parquet")
    serving = (
        listed.filter(pl.col("start_year") <= year)
        .join(py.select("person_id", pl.col("household_id").alias("hh")), on="person_id")
        .join(hy, left_on="hh", right_on="household_id")
    )
    floor = public_salary(Params.load(), year) * 0.3  # the pay grade's low tail
    assert serving.height > 0
    assert (serving["wage"] >= floor).mean() > 0.95
