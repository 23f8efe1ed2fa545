"""The compiler refuses what it does not know, and says what was probably meant."""

import pytest
import yaml

from lantu.standards.compiler import compile_policy
from lantu.standards.policy import PolicyInvalid, load

BASE = {
    "policy": "base",
    "version": "1",
    "parameters": {
        "line": {"values": [{"from": 2013, "value": 3000, "ref": "doc 1"}]},
        "grades": {"values": [{"from": 2013, "value": ["A", "B"], "ref": "doc 2"}]},
    },
    "rules": {"poor": {"kind": "identification", "test": "per_capita_net_income < line"}},
}


def write(tmp_path, name, data):
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))


def compile_rule(tmp_path, test, year=2019, **extra):
    data = {**BASE, "rules": {"r": {"kind": "quality", "test": test, **extra}}}
    write(tmp_path, "base", data)
    return compile_policy(load("base", tmp_path), year)


def problems(tmp_path, test):
    with pytest.raises(PolicyInvalid) as info:
        compile_rule(tmp_path, test)
    return info.value


def test_unknown_variable_suggests_the_nearest(tmp_path):
    err = problems(tmp_path, "per_capita_net_incom < line")
    assert "per_capita_net_income" in err.en and "did you mean" in err.en
    assert "是否想写 per_capita_net_income" in err.zh


def test_unknown_function_suggests_the_nearest(tmp_path):
    err = problems(tmp_path, "anyy(age > 60)")
    assert "unknown function 'anyy'" in err.en and "'any'" in err.en


def test_unknown_code_suggests_the_nearest(tmp_path):
    err = problems(tmp_path, "any(schooling = 'dropot')")
    assert "has no code 'dropot'" in err.en and "'dropout'" in err.en


def test_member_variable_outside_an_aggregate_is_refused(tmp_path):
    err = problems(tmp_path, "age > 60")
    assert "wrap it in any/all" in err.en


def test_nested_aggregates_are_refused(tmp_path):
    err = problems(tmp_path, "any(count(age > 1) > 0)")
    assert "cannot nest" in err.en


@pytest.mark.parametrize(
    "test",
    [
        "(select 1) = 1",
        "per_capita_net_income < line; drop table households",
        "cast(size as varchar) = '1'",
        "read_csv('x') is null",
    ],
)
def test_nothing_unparsed_or_unlisted_reaches_sql(tmp_path, test):
    with pytest.raises(PolicyInvalid):
        compile_rule(tmp_path, test)


def test_any_compiles_to_bool_or_and_list_parameters_expand(tmp_path):
    c = compile_rule(tmp_path, "any(age > 60) and housing_grade in grades")
    hv = c.levels["household"]
    [mask] = [a.sql for a in hv.aggregates.values()]  # any(): one bit of a BIT_OR mask
    assert mask.startswith("BIT_OR(") and "age > 60" in mask
    assert "mask_0" in hv.clauses[0].sql
    assert "housing_grade IN ('A', 'B')" in hv.clauses[0].sql


def test_parameter_without_value_in_the_year(tmp_path):
    with pytest.raises(PolicyInvalid) as info:
        compile_rule(tmp_path, "per_capita_net_income < line", year=2010)
    assert "has no value in 2010" in info.value.en


def test_rule_cycles_are_refused(tmp_path):
    data = {**BASE, "rules": {"a": {"test": "b"}, "b": {"test": "a"}}}
    write(tmp_path, "base", data)
    with pytest.raises(PolicyInvalid) as info:
        compile_policy(load("base", tmp_path), 2019)
    assert "cycle" in info.value.en


def test_structure_problems_are_all_collected(tmp_path):
    data = {
        **BASE,
        "parameterz": {},
        "rules": {"r": {"kind": "qualty", "tset": "size > 0"}},
    }
    data["parameters"] = {"x": {"values": [{"from": 2013, "value": 1}]}}
    write(tmp_path, "base", data)
    with pytest.raises(PolicyInvalid) as info:
        load("base", tmp_path)
    en = info.value.en
    assert "'parameterz'" in en and "'parameters'" in en
    assert "unknown kind" in en and "'quality'" in en
    assert "'tset'" in en and "'test'" in en
    assert "has no reference" in en


def test_unknown_policy_name_suggests(tmp_path):
    write(tmp_path, "yunnan", BASE)
    with pytest.raises(PolicyInvalid) as info:
        load("yunnam", tmp_path)
    assert "did you mean 'yunnan'" in info.value.en


def test_overrides_are_recorded_and_win(tmp_path):
    write(tmp_path, "base", BASE)
    child = {
        "policy": "child",
        "version": "2",
        "extends": "base",
        "parameters": {"line": {"values": [{"from": 2019, "value": 3500, "ref": "child doc 7"}]}},
        "disable": ["poor"],
    }
    write(tmp_path, "child", child)
    p = load("child", tmp_path)
    assert p.parameters["line"].at(2019).value == 3500
    assert p.parameters["line"].at(2018).value == 3000
    assert "poor" not in p.rules
    notes = [(o.what, o.name, o.by, o.ref) for o in p.overrides]
    assert ("parameter", "line", "child", "child doc 7") in notes
    assert ("disable", "poor", "child", "") in notes
    assert p.content_hash != load("base", tmp_path).content_hash


def test_real_policies_compile_for_every_year():
    for name in ("national", "yunnan", "yunnan_huize"):
        policy = load(name)
        for year in range(2014, 2026):
            compile_policy(policy, year)
    assert sum(r.kind == "quality" for r in load("national").rules.values()) >= 40


def test_yunnan_2025_monitoring_line_is_recorded_with_its_document():
    from lantu.standards.explain import provenance

    rows = {r["name"]: r for r in provenance(load("yunnan"), 2025)}
    line = rows["monitoring_line"]
    assert (line["value"], line["source"], line["overridden"]) == ("8700", "yunnan", "true")
    assert "云农办通〔2025〕1号" in line["zh_note"]
    assert rows["income_line"]["overridden"] == "false"
