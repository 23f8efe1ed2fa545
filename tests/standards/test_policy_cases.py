"""The YAML policy cases (lantu/standards/policies/tests) run through the real engine."""

import pytest

from lantu.standards.testing import CASE_DIR, case_files, run_file


@pytest.mark.parametrize("path", case_files(CASE_DIR), ids=lambda p: p.stem)
def test_policy_cases(path):
    results = run_file(path)
    assert results, f"{path.name} has no cases"
    failures = [f"{r.name}: {'; '.join(r.problems)}" for r in results if not r.ok]
    assert not failures, "\n".join(failures)
