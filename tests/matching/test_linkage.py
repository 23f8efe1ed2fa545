"""The exact, repair and probabilistic passes on small generated data (no database)."""

import datetime

import polars as pl
import pytest
from stdnum.cn import ric

from lantu.matching import frames, linkage, loads, probabilistic, schemas
from tests.matching.padding import county_sized

D = datetime.date


def make_id(region6: str, birth: D, seq: int) -> str:
    body = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def valid(number: str) -> bool:
    return ric.calc_check_digit(number) == number[17]


def substitute(number: str, pos: int) -> str:
    digit = str((int(number[pos]) + 3) % 10)
    return number[:pos] + digit + number[pos + 1 :]


def transpose(number: str, pos: int) -> str:
    assert number[pos] != number[pos + 1]
    return number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]


PEOPLE = [
    # member, name, birth, sex, seq
    (1, "李丽", D(1980, 3, 14), "2", 122),
    (2, "张伟", D(1975, 11, 2), "1", 131),
    (3, "王芳", D(1990, 6, 30), "2", 142),
    (4, "赵强", D(2001, 1, 9), "1", 151),
    (5, "杨明", D(1968, 8, 21), "1", 163),
]


def people(rows=PEOPLE, region="530602001201"):
    return frames.people(
        pl.DataFrame(
            {
                "member": [r[0] for r in rows],
                "household": [f"H{r[0]}" for r in rows],
                "id_number": [make_id(region[:6], r[2], r[4]) for r in rows],
                "name": [r[1] for r in rows],
                "birth_date": [r[2] for r in rows],
                "sex": [r[3] for r in rows],
                "region_code": [region] * len(rows),
                "active": [True] * len(rows),
            }
        )
    )


def records(rows):
    """rows: (rec, id_number, name[, birth_date])"""
    return frames.records(
        pl.DataFrame(
            {
                "rec": [r[0] for r in rows],
                "id_number": [r[1] for r in rows],
                "name": [r[2] for r in rows],
                "birth_date": [r[3] if len(r) > 3 else None for r in rows],
            },
            schema_overrides={"birth_date": pl.Date},
        )
    )


def links_of(table):
    return {r["rec"]: (r["member"], r["method"]) for r in table.to_pylist()}


def ids():
    return {m: make_id("530602", b, s) for m, _, b, _, s in PEOPLE}


def test_exact_pass_links_equal_numbers_and_leaves_strangers():
    i = ids()
    stranger = make_id("530602", D(1985, 1, 1), 201)
    got = links_of(
        linkage.deterministic(records([(10, i[2], "张伟"), (11, stranger, "张伟")]), people())
    )
    assert got == {10: (2, "exact")}


def test_repair_substitution_and_transposition_confirmed_by_name():
    i = ids()
    typo = substitute(i[1], 9)
    swapped = transpose(i[3], 12) if i[3][12] != i[3][13] else transpose(i[3], 14)
    recs = records([(10, typo, "李莉"), (11, swapped, "王芳"), (12, substitute(i[4], 15), "孙红")])
    got = links_of(linkage.deterministic(recs, people()))
    # 李莉 is 李丽 typed with a homophone: same pinyin confirms; 孙红 is not 赵强.
    assert got == {10: (1, "repaired"), 11: (3, "repaired")}


def test_repair_needs_the_birth_date_when_the_department_gives_one():
    i = ids()
    wrong_birth = records([(10, substitute(i[2], 8), "张伟", D(1975, 11, 3))])
    assert linkage.deterministic(wrong_birth, people()).num_rows == 0
    right_birth = records([(10, substitute(i[2], 8), "张伟", D(1975, 11, 2))])
    assert links_of(linkage.deterministic(right_birth, people())) == {10: (2, "repaired")}


def test_registry_side_typo_is_repaired_from_the_department_number():
    i = ids()
    reg = people()
    typed = reg["id_number"].to_pylist()
    typed[4] = substitute(typed[4], 10)  # the registry clerk mistyped 杨明's number
    reg = reg.set_column(reg.schema.get_field_index("id_number"), "id_number", [typed])
    got = links_of(linkage.deterministic(records([(10, i[5], "杨明")]), reg))
    assert got == {10: (5, "repaired")}


def _namesakes():
    """Two valid numbers a, b and a typed one that is one substitution from each."""
    a = make_id("530602", D(1980, 3, 14), 122)
    for i, j in ((14, 15), (14, 16), (15, 16)):
        for x in "0123456789":
            typed = a[:i] + x + a[i + 1 :]
            for y in "0123456789":
                b = typed[:j] + y + typed[j + 1 :]
                if len({a, b, typed}) == 3 and valid(b):
                    return a, b, typed
    raise AssertionError("no namesake numbers found")


def test_ambiguous_repair_is_not_linked():
    a, b, typed = _namesakes()
    assert not valid(typed)
    rows = [(1, "李丽", D(1980, 3, 14), "2", 122), (2, "李丽", D(1980, 3, 14), "2", 123)]
    reg = people(rows)
    reg = reg.set_column(reg.schema.get_field_index("id_number"), "id_number", [[a, b]])
    assert linkage.deterministic(records([(10, typed, "李丽")]), reg).num_rows == 0
    # With one of the two gone, the same typed number is repaired.
    alone = linkage.deterministic(records([(10, typed, "李丽")]), reg.slice(0, 1))
    assert links_of(alone) == {10: (1, "repaired")}


def test_unusable_records_are_blank_or_failing_numbers_only():
    i = ids()
    stranger = make_id("530602", D(1985, 1, 1), 201)
    recs = records(
        [(10, "", "李丽"), (11, stranger, "某人"), (12, "12345", "王芳"), (13, i[2], "张伟")]
    )
    links = linkage.deterministic(recs, people())
    left = sorted(linkage.unusable(recs, links)["rec"].to_pylist())
    assert left == [10, 12]


def test_load_check_normalises_and_reports_every_error():
    ds = schemas.get("vehicles")
    i = ids()
    legacy = i[2][:6] + i[2][8:17]  # the 15-digit form of 张伟's number
    table = pl.DataFrame(
        {
            "record_id": ["1", "2", "2", "4"],
            "owner_id_number": [f" {i[1][:17]}x ".replace("x", i[1][17].lower()), legacy, "", ""],
            "owner_name": ["李丽", "张伟", "", "王芳"],
            "purchase_price": ["30,000", "abc", "1", "-5"],
        }
    )
    checked = loads.check(ds, table)
    problems = {(e.row, e.column) for e in checked.errors}
    assert problems == {(3, "购置价"), (4, "姓名"), (4, "记录编号"), (3, "记录编号"), (5, "购置价")}
    assert checked.frame["id_number"].to_list()[:2] == [i[1], i[2]]


def test_load_check_refuses_unknown_columns_saying_which():
    with pytest.raises(Exception) as exc:
        loads.check(schemas.get("vehicles"), pl.DataFrame({"record_id": ["1"], "颜色": ["红"]}))
    assert "颜色" in str(exc.value) and "姓名" in str(exc.value)


def test_probabilistic_pass_links_clear_pairs_and_holds_back_namesakes():
    reg = people()
    recs = records(
        [(20, "", "李莉", D(1980, 3, 14)), (21, "", "张伟", D(1999, 1, 1)), (22, "", "王芳")]
    )
    recs = recs.set_column(recs.schema.get_field_index("sex"), "sex", [["2", "1", ""]])
    recs = recs.set_column(
        recs.schema.get_field_index("region_code"), "region_code", [["530602001201"] * 3]
    )
    out = probabilistic.link(recs, county_sized(reg))
    linked = {r["rec"]: r["member"] for r in out.links.to_pylist()}
    assert linked == {20: 1}
    # A name and a village alone are never linked automatically: a person decides.
    assert (22, 3) in {(r["rec"], r["member"]) for r in out.review.to_pylist()}
    assert out.links["probability"][0].as_py() >= probabilistic.config()["thresholds"]["link"]
    assert 21 not in linked


def test_a_propertys_county_stands_in_for_the_missing_region_code():
    table = pl.DataFrame(
        {
            "record_id": ["1", "2"],
            "owner_name": ["李丽", "张伟"],
            "location_county": ["530602000000", "530621000000"],
            "region_code": ["", "530621001201"],
        }
    )
    checked = loads.check(schemas.get("real_estate"), table)
    assert checked.ok
    assert checked.frame["region_code"].to_list() == ["530602000000", "530621001201"]


def test_a_person_listed_twice_is_one_candidate_and_the_active_membership_wins():
    i = ids()
    rows = [(1, "李丽", D(1980, 3, 14), "2", 122), (2, "李丽", D(1980, 3, 14), "2", 122)]
    reg = people(rows)
    typed = substitute(i[1], 12)  # the registry clerk's typo, kept in both memberships
    reg = reg.set_column(reg.schema.get_field_index("id_number"), "id_number", [[typed, typed]])
    reg = reg.set_column(reg.schema.get_field_index("active"), "active", [[False, True]])
    got = links_of(linkage.deterministic(records([(10, i[1], "李丽")]), reg))
    assert got == {10: (2, "repaired")}
    exact = links_of(linkage.deterministic(records([(11, typed, "李丽")]), reg))
    assert exact == {11: (2, "exact")}


@pytest.mark.parametrize("kind", ["xlsx", "parquet", "csv-gb18030"])
def test_department_files_are_read_in_every_format(kind, tmp_path):
    import io

    import xlsxwriter

    rows = [["记录编号", "身份证号", "姓名", "购置价"], ["1", "53060219800314122X", "李丽", 30000]]
    if kind == "xlsx":
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True})
        sheet = book.add_worksheet()
        for i, r in enumerate(rows):
            sheet.write_row(i, 0, r)
        book.close()
        data, name = buf.getvalue(), "v.xlsx"
    elif kind == "parquet":
        buf = io.BytesIO()
        pl.DataFrame([rows[1]], schema=rows[0], orient="row").write_parquet(buf)
        data, name = buf.getvalue(), "v.parquet"
    else:
        text = "\n".join(",".join(str(c) for c in r) for r in rows)
        data, name = text.encode("gb18030"), "v.csv"
    checked = loads.check(schemas.get("vehicles"), loads.read(data, name))
    assert checked.ok, checked.errors
    row = checked.frame.row(0, named=True)
    assert (row["name"], row["id_number"], row["purchase_price"]) == (
        "李丽",
        "53060219800314122X",
        30000.0,
    )
