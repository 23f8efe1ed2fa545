"""``lantu evaluate``: CSV or Parquet in, CSV or Parquet out, wide or long."""

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from lantu.engine.synthetic import generate


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    d = tmp_path_factory.mktemp("registry")
    for name, table in generate(households=300, years=(2019, 2020), seed=1).items():
        pq.write_table(table, d / f"{name}.parquet")
        pacsv.write_csv(table, d / f"{name}.csv")
    return d


def test_parquet_folder_in_parquet_out(registry, tmp_path):
    out = tmp_path / "r.parquet"
    villages = str(tmp_path / "v.csv")
    call_command("evaluate", "--year", "2020", "--policy", "yunnan", "--input-dir",
                 str(registry), "--out", str(out), "--villages-out", villages)  # fmt: skip
    table = pq.read_table(out)
    assert table.num_rows == 300
    assert {"household_no", "identification", "household_exit", "failed", "policy_hash"} <= set(
        table.column_names
    )
    assert set(table["policy"].to_pylist()) == {"yunnan"}
    assert (tmp_path / "v.csv").stat().st_size > 0


def test_csv_files_in_long_csv_out_agree_with_parquet(registry, tmp_path):
    wide = tmp_path / "w.parquet"
    call_command("evaluate", "--year", "2020", "--input-dir", str(registry), "--out", str(wide))
    out = tmp_path / "long.csv"
    call_command("evaluate", "--year", "2020", "--households", str(registry / "households.csv"),
                 "--members", str(registry / "members.csv"), "--years",
                 str(registry / "years.csv"), "--out", str(out), "--long")  # fmt: skip
    rows = pacsv.read_csv(out).to_pylist()
    assert {"household_no", "rule", "passed", "reasons_zh", "reasons_en"} <= set(rows[0])
    by_key = {(r["household_no"], r["rule"]): r for r in rows}
    w = pq.read_table(wide).to_pylist()
    for row in w[:50]:
        long = by_key.get((row["household_no"], "identification"))
        assert long is not None and long["passed"] == row["identification"]
        if row["identification"] is False:
            assert long["reasons_en"]


def test_missing_inputs_say_what_to_give(tmp_path):
    with pytest.raises(CommandError, match="--households --members --years"):
        call_command("evaluate", "--year", "2020", "--out", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="only CSV or Parquet"):
        call_command("evaluate", "--year", "2020", "--households", "a.xlsx", "--members",
                     "b.csv", "--years", "c.csv")  # fmt: skip
