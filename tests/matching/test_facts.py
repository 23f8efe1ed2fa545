import json

import polars as pl

from lantu.matching import facts


def _vehicles(rows: list[tuple[str, int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "dataset": ["vehicles"] * len(rows),
            "member": [1] * len(rows),
            "household_no": ["H1"] * len(rows),
            "id_number": ["530102199001010011"] * len(rows),
            "record": [r[0] for r in rows],
            "facts": [
                json.dumps({"registered_year": y, "purchase_price": p}) for _, _, y, p in rows
            ],
        }
    )


def test_an_assets_year_is_the_members_earliest_and_cites_that_record():
    frame = _vehicles([("r1", 0, "2013", "8000"), ("r2", 0, "2018", "90000")])
    year = facts.variable("vehicle_year", frame, 2020)
    assert year["vehicle_year"].to_list() == [2013.0]
    assert year["record"].to_list() == ["r1"]
    value = facts.variable("vehicle_value", frame, 2020)
    assert value["vehicle_value"].to_list() == [90000.0]
    assert value["record"].to_list() == ["r2"]


def test_an_asset_of_unknown_year_gives_no_exception():
    frame = _vehicles([("r1", 0, "", "90000"), ("r2", 0, "2018", "90000")])
    assert facts.variable("vehicle_year", frame, 2020)["vehicle_year"].to_list() == [0.0]


def test_assets_after_the_evaluation_year_do_not_count():
    frame = _vehicles([("r1", 0, "2021", "90000")])
    assert facts.variable("vehicle_year", frame, 2020).height == 0


def _school(rows: list[tuple[str, str, int, str]]) -> pl.DataFrame:
    """(record, id_number, year, level) enrolment records of household H1."""
    return pl.DataFrame(
        {
            "dataset": ["school_enrolment"] * len(rows),
            "member": [1 if r[1].endswith("1") else 2 for r in rows],
            "household_no": ["H1"] * len(rows),
            "id_number": [r[1] for r in rows],
            "record": [r[0] for r in rows],
            "facts": [json.dumps({"year": y, "level": lv}) for _, _, y, lv in rows],
        }
    )


PUPIL, OTHER = "530102201001010011", "530102201201010022"


def test_a_pupil_gone_on_to_senior_school_has_not_left():
    frame = _school([("r1", PUPIL, 2024, "junior"), ("r2", PUPIL, 2025, "senior")])
    left = facts.variable("schooling", frame, 2025)
    assert left["schooling"].to_list() == [False]
    gone = facts.variable("schooling", _school([("r1", PUPIL, 2024, "junior")]), 2025)
    assert gone["schooling"].to_list() == [True]
