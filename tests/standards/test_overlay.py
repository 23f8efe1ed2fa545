"""Another room's policy file joins the ruler's chain as an overlay; parts add to their file."""

import pytest
import yaml
from django.core.management import call_command

from lantu.matching.findings import OVERLAY, policy_with_overlay
from lantu.standards.compiler import compile_policy
from lantu.standards.policy import PolicyInvalid, load
from tests.standards.test_compiler import BASE, write

OVERLAY_RULES = {
    "policy": "room",
    "parameters": {"room_max": {"values": [{"from": 2013, "value": 5, "ref": "room doc 1"}]}},
    "rules": {"room_rule": {"kind": "monitoring", "ref": "room doc 2", "test": "size < room_max"}},
}


def overlay(tmp_path, data, name="room.yaml"):
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_an_overlay_is_one_more_layer_with_its_additions_recorded(tmp_path):
    write(tmp_path, "base", BASE)
    path = overlay(tmp_path, OVERLAY_RULES)
    p = load("base", tmp_path, overlays=[path])
    assert p.name == "base" and p.chain == ["base", "room"]
    assert p.rules["room_rule"].source == "room"
    notes = {(o.what, o.name, o.by, o.ref) for o in p.overrides}
    assert ("added", "room_rule", "room", "room doc 2") in notes
    assert ("added", "room_max", "room", "room doc 1") in notes
    assert p.content_hash != load("base", tmp_path).content_hash
    compile_policy(p, 2019)


def test_an_overlay_that_changes_the_policy_is_recorded_as_an_override(tmp_path):
    write(tmp_path, "base", BASE)
    data = {
        "policy": "room",
        "parameters": {"line": {"values": [{"from": 2019, "value": 3300, "ref": "room doc 3"}]}},
        "disable": ["poor"],
    }
    p = load("base", tmp_path, overlays=[overlay(tmp_path, data)])
    assert p.parameters["line"].at(2019).value == 3300
    assert "poor" not in p.rules
    notes = {(o.what, o.name, o.by) for o in p.overrides}
    assert {("parameter", "line", "room"), ("disable", "poor", "room")} <= notes


def test_unknown_names_in_an_overlay_are_refused_with_a_suggestion(tmp_path):
    write(tmp_path, "base", BASE)
    bad = {**OVERLAY_RULES, "rulez": {}, "rules": {"r": {"kind": "monitorin", "test": "size > 0"}}}
    with pytest.raises(PolicyInvalid) as info:
        load("base", tmp_path, overlays=[overlay(tmp_path, bad)])
    assert "did you mean 'rules'" in info.value.en
    assert "'monitoring'" in info.value.en
    typo = {**OVERLAY_RULES, "rules": {"r": {"kind": "monitoring", "test": "sise < room_max"}}}
    with pytest.raises(PolicyInvalid) as info:
        compile_policy(load("base", tmp_path, overlays=[overlay(tmp_path, typo)]), 2019)
    assert "'size'" in info.value.en


def test_an_overlay_does_not_extend(tmp_path):
    write(tmp_path, "base", BASE)
    with pytest.raises(PolicyInvalid, match="does not 'extends'"):
        load("base", tmp_path, overlays=[overlay(tmp_path, {**OVERLAY_RULES, "extends": "base"})])
    with pytest.raises(PolicyInvalid, match="no overlay policy file"):
        load("base", tmp_path, overlays=[tmp_path / "nowhere.yaml"])


def test_a_name_in_both_a_file_and_its_part_is_refused(tmp_path):
    (tmp_path / "parts").mkdir()
    write(tmp_path / "parts", "extra", {"rules": {"poor": {"kind": "quality", "test": "true"}}})
    write(tmp_path, "base", {**BASE, "include": ["extra"]})
    with pytest.raises(PolicyInvalid, match=r"rules\.poor is defined both"):
        load("base", tmp_path)


def test_matching_rules_join_the_chain_through_the_loader():
    p = policy_with_overlay("yunnan")
    assert p.name == "yunnan" and p.chain == ["national", "yunnan", "matching"]
    assert p.rules["monitor_disaster"].source == "matching"
    assert any(o.by == "matching" and o.name == "monitor_disaster" for o in p.overrides)
    compile_policy(p, 2021)


def test_show_lists_the_overlay_additions(capsys):
    call_command("standards", "show", "yunnan", "--year", "2021", "--overlay", str(OVERLAY),
                 "--lang", "en")  # fmt: skip
    out = capsys.readouterr().out
    assert "national → yunnan → matching" in out
    assert "matching: adds monitor_disaster" in out
    assert "yunnan: sets monitoring_line" in out
