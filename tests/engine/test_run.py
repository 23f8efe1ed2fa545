"""The engine on partial and odd inputs: what is missing reads as unknown, and says so."""

import pyarrow as pa
import pytest

from lantu.core.errors import ValidationFailed
from lantu.engine.run import evaluate
from lantu.standards.explain import reasons


def minimal():
    return {
        "households": pa.table(
            {
                "household_no": ["A", "B"],
                "region_code": ["530326001001"] * 2,
                "status": ["poor", "exited"],
            }
        ),
        "members": pa.table(
            {
                "household_no": ["A", "A", "B"],
                "relation": ["head", "child", "head"],
                "birth_date": ["1970-01-01", "2012-05-05", "1960-02-02"],
            }
        ),
        "years": pa.table({"household_no": ["A"], "year": [2020], "wage_income": ["2000"]}),
    }


def test_missing_columns_read_as_unknown_and_fail_with_reasons():
    res = evaluate("national", 2020, minimal())
    rows = {r["household_no"]: r for r in res.households.to_pylist()}
    a, b = rows["A"], rows["B"]
    assert a["q_has_head"] is True and a["q_has_year_record"] is True
    assert b["q_has_year_record"] is False
    # no schooling recorded for the 8-year-old: education cannot be shown as assured
    assert a["education_assured"] is False
    # income 2,000 for 2 people is under 4,000: identified, and the reasons say why exit fails
    assert a["identification"] is True and a["household_exit"] is False
    why = {r.clause for r in reasons(a["failed"], res.compiled.clause_text)}
    assert {"income_above_line", "income_stable"} <= why
    assert b["household_exit"] is None  # exited: exit does not apply


def test_text_columns_are_cast_and_blank_is_missing():
    data = minimal()
    data["years"] = pa.table({"household_no": ["A"], "year": ["2020"], "wage_income": [" "],
                              "total_income": [""]})  # fmt: skip
    rows = {r["household_no"]: r for r in evaluate("national", 2020, data).households.to_pylist()}
    assert rows["A"]["q_income_adds_up"] is True  # blank total: computed, not an error


def test_a_table_without_household_no_is_refused():
    data = minimal()
    data["members"] = data["members"].rename_columns(["hh", "relation", "birth_date"])
    with pytest.raises(ValidationFailed, match="household_no"):
        evaluate("national", 2020, data)
