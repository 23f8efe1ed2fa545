"""The kinds' configuration: every duration resolves with a reference, bad files are refused."""

import pytest

from lantu.core.errors import ValidationFailed
from lantu.procedures import config

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2016, 2020, 2021, 2025])
def test_every_duration_resolves_with_a_reference(year):
    for kind in config.kinds().values():
        if year < 2021 and kind.slug in ("monitoring", "risk_elimination"):
            continue  # 防返贫 starts in 2021: its notice parameter has no earlier value
        for step in kind.steps:
            days, ref = step.days.days(year)
            assert days > 0 and ref, (kind.slug, step.name)


def test_kinds_declare_who_acts_and_what_they_need():
    kinds = config.kinds()
    assert set(kinds) >= {
        "identification",
        "household_exit",
        "removal",
        "return",
        "monitoring",
        "risk_elimination",
        "village_exit",
        "county_exit",
    }
    for k in kinds.values():
        if k.slug == "project":  # a project's case ends with its assets registered, no 公告
            continue
        assert sum(s.decision for s in k.steps) == 1 and k.steps[-1].notice == "announcement"
        assert any(s.notice == "publicity" for s in k.steps)
    ident = kinds["identification"]
    assert [s.name for s in ident.steps if s.notice == "publicity"] == [
        "first_publicity",
        "second_publicity",
    ]  # 两公示一公告
    assert kinds["monitoring"].case_days.days(2021)[0] == 15
    assert kinds["monitoring"].step("publicity").days.days(2021)[0] == 5


def test_a_bad_step_is_refused_with_its_name():
    with pytest.raises(ValidationFailed) as e:
        config._step(
            "x",
            {
                "name": "s",
                "zh": "s",
                "en": "s",
                "role": "village_entry",
                "level": "village",
                "requires": ["photos"],
            },
        )
    assert "requires photos" in e.value.en
    with pytest.raises(ValidationFailed):
        config.kind("nonexistent")
