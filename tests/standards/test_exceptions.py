"""The exclusions' "as an assistance measure" exception is a parameter a county can switch off."""

import pyarrow as pa
import yaml

from lantu.engine.run import evaluate
from lantu.standards.policy import load


def _inputs() -> dict[str, pa.Table]:
    households = pa.table(
        {
            "household_no": ["H1", "H2"],
            "region_code": ["530326100001", "530326100001"],
            "registration_year": [2016, 2016],
            "status": ["poor", "poor"],
            "assisted_vehicle": [True, None],
        }
    )
    members = pa.table(
        {
            "household_no": ["H1", "H2"],
            "relation": ["head", "head"],
            "vehicle_value": [40000.0, 40000.0],
            "vehicle_year": [2015, 2015],
        }
    )
    years = pa.table({"household_no": ["H1", "H2"], "year": [2019, 2019]})
    return {"households": households, "members": members, "years": years}


def _excl_vehicle(policy) -> dict[str, bool]:
    res = evaluate(policy, 2019, _inputs()).households
    return dict(zip(res["household_no"].to_pylist(), res["excl_vehicle"].to_pylist(), strict=True))


def test_the_ledger_excuses_a_vehicle_unless_the_county_switches_the_exception_off(tmp_path):
    assert _excl_vehicle(load("national")) == {"H1": True, "H2": False}
    off = {
        "policy": "county_x",
        "parameters": {
            "asset_exception_assistance": {
                "values": [{"from": 2013, "value": False, "ref": "某县错评剔除清单"}]
            }
        },
    }
    path = tmp_path / "county_x.yaml"
    path.write_text(yaml.safe_dump(off, allow_unicode=True), encoding="utf-8")
    policy = load("national", overlays=[path])
    assert ("parameter", "asset_exception_assistance", "county_x") in {
        (o.what, o.name, o.by) for o in policy.overrides
    }
    assert _excl_vehicle(policy) == {"H1": False, "H2": False}
