"""The room's policy cases (YAML beside its policy file) through the ruler."""

from pathlib import Path

import pytest

from lantu.projects import checks
from lantu.standards import testing

CASES = sorted((Path(checks.OVERLAY).parent / "tests").glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_policy_cases(path):
    failed = [r for r in testing.run_file(path) if not r.ok]
    assert not failed, [(r.name, r.problems) for r in failed]
