"""The omission search's YAML cases (lantu/matching/policies/tests) through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from lantu.standards.testing import case_files, run_file

CASES = case_files(Path(__file__).resolve().parents[2] / "lantu/matching/policies/tests")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_omission_policy_cases(path):
    results = run_file(path)
    assert results
    bad = [(r.name, r.problems) for r in results if not r.ok]
    assert not bad, bad
