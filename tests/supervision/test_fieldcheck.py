"""账实相符: the exits room's sampler draws the households, the XLSForm passes pyxform, the
answers are imported all or nothing, and the rate comes with its interval."""

from __future__ import annotations

import io

import openpyxl
import pytest

from lantu.core.errors import ValidationFailed
from lantu.registry.models import Household
from lantu.supervision import fieldcheck
from tests.factories import make_household


@pytest.fixture
def county(world):
    regions = world["regions"]
    for code in ("530822100201", "530822100202"):
        for _ in range(6):
            make_household(regions[code], status="poor")
    return regions["530822000000"]


def test_draw_form_import_and_estimate(county):
    check = fieldcheck.draw(actor=None, county=county, year=2025, villages=2, per_village=4, seed=3)
    items = list(check.items.order_by("code"))
    assert len(items) == 8 and all(i.weight > 0 for i in items)
    assert {i.household.region.parent.parent_id for i in items} == {county.pk}
    book = openpyxl.load_workbook(io.BytesIO(fieldcheck.xlsform(check)))
    assert book.sheetnames == ["survey", "choices", "settings"]
    head = "sample_code,visited,size_ok,status_ok,account_ok,payments_ok,note\n"
    rows = [f"{i.code},yes,{'no' if n < 2 else 'yes'},yes,yes,yes," for n, i in enumerate(items)]
    bad = head + "\n".join([*rows[:-1], "S99999,yes,yes,yes,yes,yes,"])
    with pytest.raises(ValidationFailed, match="S99999"):
        fieldcheck.import_answers(actor=None, check=check, data=bad.encode())
    assert not check.items.filter(visited__isnull=False).exists()  # all or nothing
    rows[-1] = f"{items[-1].code},no,,,,,"
    fieldcheck.import_answers(actor=None, check=check, data=(head + "\n".join(rows)).encode())
    check.refresh_from_db()
    e = check.estimate
    assert e["visited"] == 7 and e["mismatched"] == 2
    assert 0 <= e["low"] <= e["rate"] <= e["high"] <= 1 and e["low"] < e["high"]


def test_xlsform_passes_pyxform(county, tmp_path):
    pyxform = pytest.importorskip("pyxform")
    check = fieldcheck.draw(actor=None, county=county, year=2025, villages=2, per_village=2, seed=1)
    path = tmp_path / "form.xlsx"
    path.write_bytes(fieldcheck.xlsform(check))
    from pyxform.xls2xform import convert

    out = convert(xlsform=str(path), validate=False)
    assert "sample_code" in out.xform and pyxform


def test_a_region_that_is_not_a_county_is_refused(world):
    with pytest.raises(ValidationFailed):
        fieldcheck.draw(actor=None, county=world["regions"]["530822100000"], year=2025, seed=1)
    assert Household.objects.count() == 2
