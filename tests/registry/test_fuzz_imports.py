"""Fuzzing the importer: a generated corpus of a few hundred damaged, hostile and careless files
(random byte flips and truncations of real XLSX and CSV files, hostile cell values, broken
headers, oversized sheets). Every file must end as a clean refusal (ImportRejected) or a report
(with row errors, or applied); never any other exception, and never a partial write: when a file
is refused or has errors, the registry and the ledger are exactly as before. Runs on SQLite and on
PostgreSQL (LANTU_DATABASE_URL), in a few seconds; the seed is fixed, so a failure reproduces."""

from __future__ import annotations

import io
import random
import zipfile

import openpyxl
import pytest
from django.db import transaction
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lantu.core.errors import ImportRejected
from lantu.ledger.models import Event
from lantu.registry.columns import COLUMNS
from lantu.registry.imports import import_file
from lantu.registry.models import Household, HouseholdYear, Member
from tests.factories import make_tree
from tests.registry.test_imports import household, to_csv, to_xlsx_from_template

pytestmark = pytest.mark.django_db
SEED = 20261203
HOSTILE = [
    "inf", "-inf", "NaN", "nan", "Infinity", "1e20", "-1", "-0.01", "1e308", "99999999999999999999",
    "2019.5", "0x10", "１２", "1,000,000,000,000", "0000-00-00", "9999-12-31", "1899-12-31",
    "\x00", "a\x00b", "\x1b[31m", "李" * 60, "x" * 300, "=HYPERLINK(\"http://x\",\"c\")", "@SUM(1)",
    "+1", "-", " ", "\t", "\r\n", "是否", "32768", "65536", "2147483648", "-32769", "1e-300",
    "null", "None", "'", '"', "<b>", "${jndi:x}", "贫困户;DROP TABLE", "\ud7ff", "\u202e",
]  # fmt: skip
NAMES = [c.name for c in COLUMNS]


def _rows() -> list[dict[str, str]]:
    return household("F001") + household("F002", region="530822100202", head="王芳", size=2)


def _stored(data: bytes) -> bytes:
    """The same zip with every member stored uncompressed, so byte flips hit the XML itself."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def _value_cases(rnd: random.Random, n: int) -> list[tuple[str, bytes]]:
    cases = []
    for i in range(n):
        rows = _rows()
        for _ in range(rnd.randint(1, 3)):
            rnd.choice(rows)[rnd.choice(NAMES)] = rnd.choice(HOSTILE)
        values = "".join(str(v) for r in rows for v in r.values())
        if i % 2 or ILLEGAL_CHARACTERS_RE.search(values):  # xlsx cannot hold control characters
            cases.append((f"v{i}.csv", to_csv(rows)))
        else:
            cases.append((f"v{i}.xlsx", to_xlsx_from_template(rows)))
    return cases


def _byte_cases(rnd: random.Random, base: bytes, name: str, n: int) -> list[tuple[str, bytes]]:
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
        cases.append((f"b{i}-{name}", bytes(data)))
    return cases


def _header_cases() -> list[tuple[str, bytes]]:
    rows = _rows()
    csv_text = to_csv(rows).decode()
    head, body = csv_text.split("\r\n", 1)
    out = [
        ("dup.csv", (head + ",户编号\r\n" + body).encode()),
        ("unknown.csv", (head.replace("姓名", "姓 名x") + "\r\n" + body).encode()),
        ("missing.csv", (",".join(head.split(",")[1:]) + "\r\n" + body).encode()),
        ("wide.csv", (",".join(f"c{i}" for i in range(5000)) + "\r\n1\r\n").encode()),
        ("blank.csv", b"\r\n\r\n"),
        ("bom-only.csv", "\ufeff".encode()),
        ("binary.csv", bytes(range(256)) * 4),
        ("notzip.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        ("html.xlsx", b"<html><body>not excel</body></html>"),
    ]
    book = openpyxl.Workbook()
    book.active.cell(row=1, column=1, value="户编号")
    book.active.cell(row=1048576, column=16384, value="x")
    buf = io.BytesIO()
    book.save(buf)
    out.append(("far-cell.xlsx", buf.getvalue()))
    return out


def corpus() -> list[tuple[str, bytes]]:
    rnd = random.Random(SEED)
    xlsx = to_xlsx_from_template(_rows())
    return (
        _value_cases(rnd, 120)
        + _byte_cases(rnd, xlsx, "z.xlsx", 60)
        + _byte_cases(rnd, _stored(xlsx), "s.xlsx", 60)
        + _byte_cases(rnd, to_csv(_rows()), "c.csv", 40)
        + _header_cases()
    )


def _counts() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        HouseholdYear.objects.count(),
        Event.objects.count(),
    )


def test_corpus_never_crashes_nor_writes_in_part():
    make_tree()
    files = corpus()
    assert len(files) >= 280
    crashes, partial, outcomes = [], [], {"rejected": 0, "row errors": 0, "applied": 0}
    before = _counts()
    for name, data in files:
        try:
            with transaction.atomic():
                report = import_file(data, name, actor=None)
                if report.ok:
                    outcomes["applied"] += 1
                else:
                    outcomes["row errors"] += 1
                    assert report.error_workbook()[:2] == b"PK"
                    if _counts() != before:
                        partial.append(name)
                transaction.set_rollback(True)
        except ImportRejected as exc:
            outcomes["rejected"] += 1
            assert exc.zh and exc.en
        except Exception as exc:
            crashes.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        if _counts() != before:
            partial.append(name)
    assert crashes == [], f"{len(crashes)} crashes: {crashes[:10]}"
    assert partial == []
    assert outcomes["rejected"] and outcomes["row errors"] and outcomes["applied"]
