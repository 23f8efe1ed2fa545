"""Fuzzing the department-data imports (部门数据导入) as ``tests/registry/test_fuzz_imports.py``
fuzzes the registry's: a generated corpus of a few hundred damaged, hostile and careless files
(byte flips and truncations of real CSV, XLSX and Parquet files, hostile cell values, broken
headers, oversized sheets) for several datasets. Every file must end as a clean refusal
(ImportRejected, in Chinese and English) or a report (with row errors, or applied); never any
other exception, and never a partial write: when a file is refused or has errors, the loads, the
records and the ledger are exactly as before. Runs on SQLite and on PostgreSQL
(LANTU_DATABASE_URL), in a few seconds; the seed is fixed, so a failure reproduces."""

from __future__ import annotations

import datetime
import io
import random
import zipfile

import openpyxl
import polars as pl
import pytest
from django.db import transaction
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lantu.core.errors import ImportRejected, ValidationFailed
from lantu.ledger.models import Event
from lantu.matching import loads, services
from lantu.matching.models import DatasetLoad, DepartmentRecord
from tests.factories import make_tree
from tests.registry.test_fuzz_imports import HOSTILE

pytestmark = pytest.mark.django_db
SEED = 20261203
AS_OF = datetime.date(2020, 12, 31)
ROWS: dict[str, list[dict[str, str]]] = {
    "vehicles": [
        {"record_id": "v1", "owner_id_number": "530822199001011234", "owner_name": "张三",
         "住所地址区划代码": "530822100201", "plate_no": "云A12345", "vehicle_type": "小型轿车",
         "registered_year": "2015", "purchase_price": "80000", "phone": "13800000000"},
        {"record_id": "v2", "owner_id_number": "", "owner_name": "李四",
         "住所地址区划代码": "", "plate_no": "云B54321", "vehicle_type": "货车",
         "registered_year": "2019", "purchase_price": "12000.5", "phone": ""},
    ],
    "medical_bills": [
        {"record_id": "m1", "id_number": "530822199001011234", "name": "张三",
         "birth_date": "1990-01-01", "sex": "男", "year": "2020", "inpatient": "是",
         "total_cost": "12000", "reimbursed": "8000", "out_of_pocket": "4000"},
        {"record_id": "m2", "id_number": "530822200502021111", "name": "王芳",
         "birth_date": "2005/02/02", "sex": "女", "year": "2019", "inpatient": "否",
         "total_cost": "300", "reimbursed": "0", "out_of_pocket": "300"},
    ],
    "public_security": [
        {"record_id": "p1", "id_number": "530822199001011234", "name": "张三",
         "birth_date": "1990-01-01", "sex": "1", "region_code": "530822100201",
         "hukou_status": "正常", "death_date": "", "hukou_no": "0001"},
        {"record_id": "p2", "id_number": "530822193003031110", "name": "赵老",
         "birth_date": "1930-03-03", "sex": "2", "region_code": "530822100202",
         "hukou_status": "死亡", "death_date": "2020-05-01", "hukou_no": "0002"},
    ],
    "disaster_reports": [
        {"record_id": "d1", "head_id_number": "530822199001011234", "head_name": "张三",
         "household_size": "4", "year": "2020", "disaster_type": "洪涝", "loss_yuan": "30000"},
        {"record_id": "d2", "head_id_number": "530822200502021111", "head_name": "王芳",
         "household_size": "2", "year": "2020", "disaster_type": "地震", "loss_yuan": "5000"},
    ],
}  # fmt: skip
DATASETS = sorted(ROWS)


def _rows(dataset: str) -> list[dict[str, str]]:
    return [dict(r) for r in ROWS[dataset]]


def to_csv(rows: list[dict[str, str]]) -> bytes:
    header = list(rows[0])
    lines = [",".join(header)]
    for r in rows:
        cells = [str(r.get(h, "")) for h in header]
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode()


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    header = list(rows[0])
    sheet.append(header)
    for r in rows:
        sheet.append([r.get(h, "") for h in header])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def to_parquet(rows: list[dict[str, str]]) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(rows).write_parquet(buf)
    return buf.getvalue()


def _stored(data: bytes) -> bytes:
    """The same zip with every member stored uncompressed, so byte flips hit the XML itself."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


Case = tuple[str, str, bytes]  # dataset, file name, content


def _value_cases(rnd: random.Random, n: int) -> list[Case]:
    cases = []
    for i in range(n):
        dataset = DATASETS[i % len(DATASETS)]
        rows = _rows(dataset)
        for _ in range(rnd.randint(1, 3)):
            row = rnd.choice(rows)
            row[rnd.choice(list(row))] = rnd.choice(HOSTILE)
        values = "".join(v for r in rows for v in r.values())
        kind = i % 3
        if kind == 0 or (kind == 1 and ILLEGAL_CHARACTERS_RE.search(values)):
            cases.append((dataset, f"v{i}.csv", to_csv(rows)))
        elif kind == 1:
            cases.append((dataset, f"v{i}.xlsx", to_xlsx(rows)))
        else:
            cases.append((dataset, f"v{i}.parquet", to_parquet(rows)))
    return cases


def _byte_cases(rnd: random.Random, base: bytes, name: str, dataset: str, n: int) -> list[Case]:
    cases = []
    for i in range(n):
        data = bytearray(base)
        kind = i % 4
        if kind == 0:
            data = data[: rnd.randrange(1, len(data))]
        elif kind == 1:
            for _ in range(rnd.randint(1, 20)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif kind == 2:
            start = rnd.randrange(len(data))
            data[start : start + rnd.randint(1, 400)] = b""
        else:
            at = rnd.randrange(len(data))
            data[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
        cases.append((dataset, f"b{i}-{name}", bytes(data)))
    return cases


def _header_cases() -> list[Case]:
    rows = _rows("vehicles")
    text = to_csv(rows).decode()
    head, body = text.split("\r\n", 1)
    out: list[Case] = [
        ("vehicles", "dup.csv", (head + ",owner_name\r\n" + body).encode()),
        ("vehicles", "unknown.csv", (head.replace("plate_no", "车 牌x") + "\r\n" + body).encode()),
        ("vehicles", "missing.csv", (",".join(head.split(",")[1:]) + "\r\n" + body).encode()),
        ("vehicles", "header-only.csv", (head + "\r\n").encode()),
        ("vehicles", "wide.csv", (",".join(f"c{i}" for i in range(5000)) + "\r\n1\r\n").encode()),
        ("vehicles", "blank.csv", b"\r\n\r\n"),
        ("vehicles", "empty.csv", b""),
        ("vehicles", "bom-only.csv", "\ufeff".encode()),
        ("vehicles", "binary.csv", bytes(range(256)) * 4),
        ("vehicles", "notzip.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        ("vehicles", "html.xlsx", b"<html><body>not excel</body></html>"),
        ("vehicles", "text.parquet", b"record_id,owner_name\r\nv1,x\r\n"),
        ("vehicles", "rows.exe", b"MZ" + b"\x00" * 50),
        ("nosuch", "ok.csv", to_csv(rows)),
    ]
    book = openpyxl.Workbook()
    book.active.cell(row=1, column=1, value="record_id")
    book.active.cell(row=1048576, column=16384, value="x")
    buf = io.BytesIO()
    book.save(buf)
    out.append(("vehicles", "far-cell.xlsx", buf.getvalue()))
    empty = openpyxl.Workbook()
    buf = io.BytesIO()
    empty.save(buf)
    out.append(("vehicles", "empty-sheet.xlsx", buf.getvalue()))
    dup = io.BytesIO()
    pl.DataFrame({"record_id": ["v1"], "记录编号": ["v2"], "owner_name": ["x"]}).write_parquet(dup)
    out.append(("vehicles", "same-field.parquet", dup.getvalue()))
    return out


def corpus() -> list[Case]:
    rnd = random.Random(SEED)
    xlsx = to_xlsx(_rows("medical_bills"))
    return (
        _value_cases(rnd, 150)
        + _byte_cases(rnd, xlsx, "z.xlsx", "medical_bills", 40)
        + _byte_cases(rnd, _stored(xlsx), "s.xlsx", "medical_bills", 40)
        + _byte_cases(rnd, to_csv(_rows("vehicles")), "c.csv", "vehicles", 40)
        + _byte_cases(rnd, to_parquet(_rows("public_security")), "p.parquet", "public_security", 40)
        + _header_cases()
    )


def _counts() -> tuple[int, int, int]:
    return DatasetLoad.objects.count(), DepartmentRecord.objects.count(), Event.objects.count()


def test_corpus_never_crashes_nor_writes_in_part():
    make_tree()
    files = corpus()
    assert len(files) >= 300
    crashes, partial, outcomes = [], [], {"rejected": 0, "row errors": 0, "applied": 0}
    before = _counts()
    for dataset, name, data in files:
        try:
            with transaction.atomic():
                table = loads.read(data, name)
                report = services.load_dataset(
                    actor=None, dataset=dataset, table=table, as_of=AS_OF, source=name
                )
                if report.ok:
                    outcomes["applied"] += 1
                else:
                    outcomes["row errors"] += 1
                    assert all(e.zh and e.en for e in report.errors)
                    if _counts() != before:
                        partial.append(name)
                transaction.set_rollback(True)
        except (ImportRejected, ValidationFailed) as exc:  # the view shows both, zh/en
            outcomes["rejected"] += 1
            assert exc.zh and exc.en
        except Exception as exc:
            crashes.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        if _counts() != before:
            partial.append(name)
    assert crashes == [], f"{len(crashes)} crashes: {crashes[:12]}"
    assert partial == []
    assert outcomes["rejected"] and outcomes["row errors"] and outcomes["applied"]


def test_a_hostile_value_is_a_row_error_on_every_database():
    """What PostgreSQL would refuse (text longer than its column, a NUL byte) and what would break
    a page (inf, NaN, 1e20) is a row error with the row and column, identically on SQLite."""
    make_tree()
    for column, value in (
        ("purchase_price", "inf"), ("purchase_price", "NaN"), ("purchase_price", "1e20"),
        ("owner_name", "李" * 60), ("record_id", "x" * 300), ("plate_no", "a\x1bb"),
        ("住所地址区划代码", "5" * 20), ("registered_year", "99999999999999999999"),
        ("registered_year", "1800"),
    ):  # fmt: skip
        rows = _rows("vehicles")
        rows[1][column] = value
        table = loads.read(to_csv(rows), "v.csv")
        report = services.load_dataset(actor=None, dataset="vehicles", table=table, as_of=AS_OF)
        assert [e.row for e in report.errors] == [3], (column, value, report.errors)
    assert _counts() == (0, 0, 0)
