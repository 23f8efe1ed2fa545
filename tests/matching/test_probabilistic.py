"""The probabilistic pass: evidence alternatives, household-level records, one person listed
twice, and the same links on DuckDB and Spark."""

import datetime

import polars as pl
import pyarrow as pa
import pytest

from lantu.matching import frames, loads, probabilistic, schemas
from tests.matching.padding import county_sized

D = datetime.date
VILLAGE = "530602001201"


def registry(rows):
    """rows: (member, household, name, birth, sex, relation, active, id_number)"""
    return frames.people(
        pl.DataFrame(
            {
                "member": [r[0] for r in rows],
                "household": [r[1] for r in rows],
                "id_number": [r[7] for r in rows],
                "name": [r[2] for r in rows],
                "birth_date": [r[3] for r in rows],
                "sex": [r[4] for r in rows],
                "region_code": [VILLAGE] * len(rows),
                "active": [r[6] for r in rows],
                "relation": [r[5] for r in rows],
            }
        )
    )


ROWS = [
    (1, "H1", "李丽", D(1980, 3, 14), "2", "head", True, "A1"),
    (2, "H1", "杨明", D(1978, 8, 21), "1", "spouse", True, "A2"),
    (3, "H1", "杨小红", D(2008, 5, 2), "2", "child", True, "A3"),
    (4, "H2", "张伟", D(1975, 11, 2), "1", "head", True, "A4"),
    (5, "H2", "王芳", D(1976, 6, 30), "2", "spouse", True, "A5"),
    (6, "H3", "赵强", D(2001, 1, 9), "1", "head", True, "A6"),
    (7, "H4", "赵强", D(2001, 1, 9), "1", "head", False, "A6"),  # the same man, earlier household
]


def department(rows, **extra):
    frame = pl.DataFrame(
        {
            "rec": [r[0] for r in rows],
            "id_number": [""] * len(rows),
            "name": [r[1] for r in rows],
            "birth_date": [r[2] for r in rows],
            "sex": [r[3] for r in rows],
            "region_code": [VILLAGE] * len(rows),
            **extra,
        },
        schema_overrides={"birth_date": pl.Date},
    )
    return frame


def linked(out):
    return {r["rec"]: r["member"] for r in out.links.to_pylist()}


def test_people_know_their_household_size_and_who_heads_it():
    reg = pl.from_arrow(registry(ROWS))
    assert reg.filter(pl.col("member") == 1)["household_size"].item() == 3
    assert reg.filter(pl.col("member") == 7)["household_size"].item() == 0
    assert reg["role"].to_list()[:2] == ["head", "member"]


def test_a_person_listed_twice_is_one_candidate_linked_to_the_active_membership():
    recs = frames.records(department([(10, "赵强", D(2001, 1, 9), "1")]))
    out = probabilistic.link(recs, registry(ROWS))
    assert linked(out) == {10: 6}
    assert out.review.num_rows == 0


def test_a_household_record_links_to_the_head_by_name_village_and_size():
    recs = frames.records(
        pl.DataFrame(
            {
                "rec": [20, 21, 22],
                "name": ["李丽", "杨明", "李丽"],
                "region_code": [VILLAGE] * 3,
                "facts": ['{"household_size": "3"}', '{"household_size": "3"}', "{}"],
            }
        ),
        head=True,
    )
    assert pl.from_arrow(recs)["household_size"].to_list() == [3, 3, None]
    out = probabilistic.link(recs, county_sized(registry(ROWS)))
    got = linked(out)
    # The head, on household evidence; not the spouse (not a head); without the size, review.
    assert got == {20: 1}
    assert 22 in {r["rec"] for r in out.review.to_pylist()}


def test_auto_link_alternatives_set_each_records_bar():
    cfg = dict(probabilistic.config())
    recs = frames.records(department([(30, "李丽", D(1980, 3, 14), "2"), (31, "张伟", None, "1")]))
    out = probabilistic.link(recs, registry(ROWS), cfg=cfg)
    assert linked(out) == {30: 1}  # 31 has a name, sex and village only: review at best
    strict = {**cfg, "auto_link": [{"needs": ["birth_date"], "link": 1.01}]}
    assert linked(probabilistic.link(recs, registry(ROWS), cfg=strict)) == {}


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="spark"):
        probabilistic.engine_of({}, "oracle")


def agreement_data(n: int = 400):
    """Registry people and department records (with noise) from the simulator's identities."""
    import numpy as np

    from lantu.simulator import identity

    rng = np.random.default_rng(3)
    sex = rng.integers(1, 3, n)
    days = rng.integers(-20000, 18000, n)
    villages = np.array([f"5306020012{i:02d}" for i in range(1, 9)])
    place = villages[rng.integers(0, len(villages), n)]
    names = identity.names(rng, identity.draw_surnames(rng, n), sex)
    base = pl.DataFrame(
        {
            "name": names,
            "birth_date": (identity.EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]"),
            "sex": sex.astype(str),
            "region_code": place,
        }
    )
    half = n // 2
    reg = base.head(half).with_columns(
        member=pl.int_range(0, half, dtype=pl.Int64),
        household=pl.int_range(0, half).cast(pl.String),
        id_number=pl.int_range(0, half).cast(pl.String),
        active=pl.lit(True),
        relation=pl.lit("head"),
    )
    shift = np.where(rng.random(n) < 0.05, rng.choice([-30, 365], n), 0)
    recs = base.with_columns(
        identity.vary_names(rng, base["name"], 0.05).alias("name"),
        pl.col("birth_date") + pl.Series(shift).cast(pl.Duration("ms")) * 86_400_000,
        rec=pl.int_range(0, n, dtype=pl.Int64),
        id_number=pl.lit(""),
    )
    return frames.records(recs), frames.people(reg)


@pytest.mark.spark
def test_duckdb_and_spark_make_the_same_links():
    pytest.importorskip("pyspark")
    from lantu.engine.backends import local_spark

    recs, reg = agreement_data()
    duck = probabilistic.link(recs, reg)
    spark = local_spark()
    spark.sparkContext.setLogLevel("ERROR")
    sp = probabilistic.link(recs, reg, engine="spark", spark=spark)
    assert duck.links.num_rows > 100  # not vacuous

    def rows(t: pa.Table) -> list[tuple]:
        return sorted((r["rec"], r["member"], round(r["probability"], 9)) for r in t.to_pylist())

    assert rows(duck.links) == rows(sp.links)
    assert rows(duck.review) == rows(sp.review)


def test_two_equally_good_candidates_compete_and_go_to_review():
    twins = [*ROWS, (8, "H5", "李丽", D(1980, 3, 14), "2", "head", True, "A8")]
    recs = frames.records(department([(40, "李丽", D(1980, 3, 14), "2")]))
    out = probabilistic.link(recs, registry(twins))
    assert linked(out) == {}
    assert {r["member"] for r in out.review.to_pylist()} == {1, 8}
    # Without the namesake, the same record links, with its probability among its candidates.
    alone = probabilistic.link(recs, registry(ROWS))
    assert linked(alone) == {40: 1}
    assert 0.8 <= alone.links["probability"][0].as_py() <= 1


def county_registry(extra: pl.DataFrame, n: int = 20_000) -> pa.Table:
    """``extra`` (member, household, name, birth_date, sex, relation, phone) among ``n`` other
    people of the county's villages, with their households' phones: the prior of a county."""
    import numpy as np

    from lantu.simulator import identity

    rng = np.random.default_rng(7)
    sex = rng.integers(1, 3, n)
    days = rng.integers(-20000, 18000, n)
    household = np.arange(n) // 4
    others = pl.DataFrame(
        {
            "member": pl.int_range(1000, 1000 + n, dtype=pl.Int64, eager=True),
            "household": pl.Series(household).cast(pl.String),
            "name": identity.names(rng, identity.draw_surnames(rng, n), sex),
            "birth_date": (identity.EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]"),
            "sex": sex.astype(str),
            "relation": np.where(np.arange(n) % 4 == 0, "head", "child"),
            "phone": pl.Series(13_900_000_000 + household).cast(pl.String),
        }
    )
    frame = pl.concat([extra, others], how="diagonal_relaxed").with_columns(
        region_code=pl.lit(VILLAGE), active=pl.lit(True), id_number=pl.lit("")
    )
    return frames.people(frame)


def test_a_record_with_name_and_phone_links_and_a_namesake_with_another_phone_does_not():
    reg = county_registry(
        pl.DataFrame(
            {
                "member": [1, 2, 4],
                "household": ["H1", "H1", "H2"],
                "name": ["李丽", "杨明", "张伟"],
                "birth_date": [D(1980, 3, 14), D(1978, 8, 21), D(1975, 11, 2)],
                "sex": ["2", "1", "1"],
                "relation": ["head", "spouse", "head"],
                # the registry's phone: the member's own, else the household's (services)
                "phone": ["13812345678", "13812345678", "13887654321"],
            }
        )
    )
    county = VILLAGE[:6] + "000000"  # a property's location: the county only
    recs = frames.records(
        pl.DataFrame(
            {
                "rec": [50, 51, 52, 53],
                "name": ["李丽", "杨明", "张伟", "张伟"],
                "region_code": [county] * 4,
                # 50, 51: the household's phone as the registry has it (written otherwise);
                # 52: another number (a namesake outside the registry); 53: none.
                "facts": [
                    '{"phone": "138-1234-5678"}',
                    '{"phone": "+86 13812345678"}',
                    '{"phone": "13900000001"}',
                    "{}",
                ],
            }
        )
    )
    assert pl.from_arrow(recs)["phone"].to_list() == ["13812345678"] * 2 + ["13900000001", ""]
    out = probabilistic.link(recs, reg)
    # The head and her husband, each by name + the household's phone.
    assert linked(out) == {50: 1, 51: 2}
    # The namesake with another phone, and the record without one: review at best.
    assert not {52, 53} & set(linked(out))


def test_the_phones_u_scales_with_the_registry_as_the_prior_does():
    cfg = probabilistic.config()

    def phone_u(people: int) -> list[float]:
        comps = probabilistic.settings(cfg, people)["comparisons"]
        levels = next(c for c in comps if c["output_column_name"] == "phone")["comparison_levels"]
        return [lv["u_probability"] for lv in levels[1:]]

    assert phone_u(40_000) == pytest.approx([1e-4, 1 - 1e-4])
    assert phone_u(10_000_000) == pytest.approx([4e-7, 1 - 4e-7])


def test_a_vehicle_record_links_on_the_owners_name_phone_and_village():
    reg = county_registry(
        pl.DataFrame(
            {
                "member": [1, 4],
                "household": ["H1", "H2"],
                "name": ["李丽", "张伟"],
                "birth_date": [D(1980, 3, 14), D(1975, 11, 2)],
                "sex": ["2", "1"],
                "relation": ["head", "head"],
                "phone": ["13812345678", "13887654321"],
            }
        )
    )
    vehicles = schemas.get("vehicles")
    assert vehicles.phone
    # A registration as the vehicle office writes it: no ID number, the owner's name, contact
    # phone (联系电话) and address (住所地址, as its village code).
    checked = loads.check(
        vehicles,
        pl.DataFrame(
            {
                "record_id": ["60", "61", "62"],
                "owner_id_number": ["", "", ""],
                "owner_name": ["李丽", "张伟", "张伟"],
                "联系电话": ["138 1234 5678", "13700000001", ""],
                "住所地址区划代码": [VILLAGE] * 3,
            }
        ),
    )
    assert checked.ok, checked.errors
    recs = frames.records(checked.frame.with_columns(rec=pl.col("record_id").cast(pl.Int64)))
    assert pl.from_arrow(recs)["region_code"].to_list() == [VILLAGE] * 3
    out = probabilistic.link(recs, reg)
    # The owner by name + the household's phone; a namesake in the village with another phone,
    # and one without a phone: review at best.
    assert linked(out) == {60: 1}


def test_a_county_given_alone_weighs_what_sharing_a_county_is_worth_at_each_scale():
    cfg = probabilistic.config()

    def county_u(people: int) -> float:
        comps = probabilistic.settings(cfg, people)["comparisons"]
        levels = next(c for c in comps if c["output_column_name"] == "region_code")
        by_label = {lv["label_for_charts"]: lv for lv in levels["comparison_levels"]}
        return float(by_label["same county (county given)"]["u_probability"])

    # In a county's registry every pair shares the county: little evidence (u at most 1/2);
    # in a province most registry people live in a few of the poverty counties (u 98,000 /
    # people, 0.026 in the simulated 3.71M-member registry), not in counties of 1,835.
    assert county_u(36_700) == pytest.approx(0.5, rel=0.02)
    assert county_u(3_710_000) == pytest.approx(98_000 / 3_710_000)
    assert county_u(10_000_000) > 0.005


def test_the_phones_bar_needs_the_phone_and_the_name_to_agree():
    reg = county_registry(
        pl.DataFrame(
            {
                "member": [1, 2],
                "household": ["H1", "H1"],
                "name": ["李丽", "杨明"],
                "birth_date": [D(1980, 3, 14), D(1978, 8, 21)],
                "sex": ["2", "1"],
                "relation": ["head", "spouse"],
                "phone": ["13812345678", "13812345678"],
            }
        )
    )
    recs = frames.records(
        pl.DataFrame(
            {
                "rec": [70, 71, 72],
                # 70: the namesake next door with another number; 71: the household's phone
                # under a name no member bears; 72: a homophone of the head with her phone.
                "name": ["李丽", "王国强", "李莉"],
                "region_code": [VILLAGE] * 3,
                "phone": ["13700000001", "13812345678", "13812345678"],
            }
        )
    )
    cfg = probabilistic.config()
    # A bar low enough that the probability alone would link every best candidate.
    low = [{**alt, "link": 0.0} if alt["needs"] == ["phone"] else alt for alt in cfg["auto_link"]]
    out = probabilistic.link(recs, reg, cfg={**cfg, "auto_link": low})
    assert linked(out) == {72: 1}
    # With the phone only needed, the namesake who gave another number would be linked.
    needed_only = [{k: v for k, v in alt.items() if k != "agree"} for alt in low]
    assert 70 in linked(probabilistic.link(recs, reg, cfg={**cfg, "auto_link": needed_only}))
