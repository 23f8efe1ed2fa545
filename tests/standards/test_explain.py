"""Failed clauses travel as bit masks and are spelled out in one place (explain.failed_text)."""

import pyarrow as pa

from lantu.standards.compiler import MASK_BITS, ClauseSql, LevelSql
from lantu.standards.explain import failed_text, with_failed_text


def level(n: int) -> LevelSql:
    lv = LevelSql("household")
    lv.clauses = [ClauseSql(f"c__r{i // 3}__k{i}", f"r{i // 3}", f"k{i}", "TRUE") for i in range(n)]
    return lv


def test_masks_spell_out_in_clause_order_across_columns():
    lv = level(MASK_BITS + 5)  # two mask columns
    assert lv.failed_columns() == ["failed_0", "failed_1"]
    table = pa.table(
        {
            "household_no": ["a", "b", "c", "d", "e"],
            "failed_0": [0, 1 | 4, 0, 1 | 4, 1 << (MASK_BITS - 1)],
            "failed_1": [0, 0, 2, 2, None],
        }
    )
    assert failed_text(table, lv).to_pylist() == [
        None,
        "r0.k0,r0.k2",
        f"r{(MASK_BITS + 1) // 3}.k{MASK_BITS + 1}",
        f"r0.k0,r0.k2,r{(MASK_BITS + 1) // 3}.k{MASK_BITS + 1}",
        f"r{(MASK_BITS - 1) // 3}.k{MASK_BITS - 1}",
    ]


def test_failed_replaces_the_masks_where_they_stood():
    lv = level(3)
    table = pa.table({"household_no": ["a"], "failed_0": [2], "year": [2020]})
    out = with_failed_text(table, lv)
    assert out.column_names == ["household_no", "failed", "year"]
    assert out["failed"].to_pylist() == ["r0.k1"]


def test_a_level_without_clauses_has_no_failed_clauses():
    out = with_failed_text(pa.table({"household_no": ["a", "b"]}), level(0))
    assert out["failed"].to_pylist() == [None, None]
