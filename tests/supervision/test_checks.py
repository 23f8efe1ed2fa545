"""The reconciliation checks as data: every YAML case, and what the loader refuses."""

from __future__ import annotations

import copy

import pytest
import yaml

from lantu.supervision import checks, testing


def test_every_check_case_passes():
    results = testing.run_all()
    bad = [(r.check, r.name, r.expected, r.found) for r in results if not r.ok]
    assert not bad
    # every check carries at least one case, and the catalogue is not trivially small
    ids = {r.check for r in results}
    assert ids == set(checks.catalogue().checks)
    assert len(ids) >= 12


def _raw():
    return yaml.safe_load(checks.FILE.read_text(encoding="utf-8"))


def test_every_check_is_referenced_explained_and_dated():
    for c in checks.catalogue().checks.values():
        assert c.ref and c.explain_zh and c.explain_en and c.zh and c.en
        assert c.valid(2025)


def test_unknown_table_is_refused():
    raw = _raw()
    raw["checks"]["double_payment"]["from"] = "registry_household h"
    with pytest.raises(checks.DeclarationError, match="unknown tables"):
        checks.parse(raw)


def test_a_write_is_refused():
    raw = _raw()
    raw["views"]["paid"] = "DELETE FROM disbursements"
    with pytest.raises(checks.DeclarationError):
        checks.parse(raw)


def test_missing_reference_is_refused():
    raw = _raw()
    del raw["checks"]["double_payment"]["ref"]
    with pytest.raises(checks.DeclarationError, match="ref"):
        checks.parse(raw)


def test_unquoted_evidence_is_refused():
    raw = _raw()
    raw["checks"]["double_payment"]["evidence"] = {"times": None}
    with pytest.raises(checks.DeclarationError, match="quote"):
        checks.parse(raw)


def test_validity_dates_choose_the_checks():
    raw = copy.deepcopy(_raw())
    raw["checks"]["double_payment"]["valid"] = {"from": 2014, "to": 2020}
    cat = checks.parse(raw)
    assert cat.checks["double_payment"].valid(2020)
    assert not cat.checks["double_payment"].valid(2021)
    assert "double_payment" not in {c.id for c in cat.valid(2021)}
