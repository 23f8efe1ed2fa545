"""Policy files: reading, layering (national → province → county) and validating their shape.

A policy file is YAML (see docs/standards.md). It holds dated parameter values, each with its legal
reference, and rules made of clauses. A file may ``extends:`` another: its parameter values are
added to the parent's (a value for the same starting year replaces the parent's), its rules
replace or amend the parent's rule of the same name (keys merged, clauses merged by name), and
``disable:`` drops a rule. Every override is recorded, with the reference the overriding file
gives, so the result can say "Yunnan 2025 sets the monitoring line to 8,700 — 云农办通〔2025〕1号".

``include: [part]`` adds the sections of ``policies/parts/<part>.yaml`` to the including file (a
name defined in both is refused). Another room's policy file (e.g. ``lantu/matching/policies/
matching.yaml``) joins the chain as an *overlay*: ``load(name, overlays=[path])`` lays it over the
policy after its last file, like one more layer. What an overlay adds and what it changes are
recorded (``Override``; ``lantu standards show POLICY --overlay PATH`` lists them), and its
names are checked like every other file's. An overlay does not ``extends:``: it is laid over
whichever policy is in force.

Expressions are checked later, by ``lantu.standards.compiler``; this module checks structure and
collects every problem before raising one ``PolicyInvalid`` that lists them all.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lantu.core.errors import ValidationFailed
from lantu.standards.schema import Level

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

POLICY_DIR = Path(__file__).resolve().parent / "policies"
KINDS = (
    "identification",
    "exclusion",
    "assurance",
    "household_exit",
    "return",
    "monitoring",
    "risk_elimination",
    "village_exit",
    "county_exit",
    "quality",
    "assistance",  # 帮扶: cadres, plans, visits, 六清 (lantu/assistance/policies)
)
TOP_KEYS = (
    "policy",
    "version",
    "extends",
    "include",
    "title",
    "ref",
    "parameters",
    "define",
    "rules",
    "disable",
)
RULE_KEYS = (
    "kind", "level", "zh", "en", "ref", "applies", "match", "clauses", "test", "from", "until"
)  # fmt: skip
CLAUSE_KEYS = ("test", "zh", "en", "ref")
PARAM_KEYS = ("zh", "en", "unit", "values", "ref")
VALUE_KEYS = ("from", "value", "ref", "note")
DEFINE_KEYS = ("level", "expr", "zh", "en")


class PolicyInvalid(ValidationFailed):
    """A policy file (or the layering of several) is wrong; ``problems`` lists every (zh, en)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))


def suggest(name: str, candidates: object) -> tuple[str, str]:
    """A '是否想写 X？/ Did you mean X?' suffix for the nearest candidate name, or empty strings."""
    names = [str(c) for c in candidates]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f"（是否想写 {close[0]}？）", f" (did you mean '{close[0]}'?)"


@dataclass(frozen=True)
class Clause:
    name: str
    test: str
    zh: str
    en: str


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    level: Level
    zh: str
    en: str
    ref: str
    match: str  # 'all' or 'any'
    applies: str | None
    clauses: tuple[Clause, ...]
    source: str  # the policy file that last set it
    start: int | None = None  # first year in force
    until: int | None = None  # last year in force

    def in_force(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (
            self.until is None or year <= self.until
        )


@dataclass(frozen=True)
class Value:
    start: int
    value: Any
    ref: str
    source: str


@dataclass(frozen=True)
class Parameter:
    name: str
    zh: str
    en: str
    unit: str
    values: tuple[Value, ...]

    def at(self, year: int) -> Value | None:
        """The value in force in ``year``: the latest start ≤ year (a later file wins a tie)."""
        best: Value | None = None
        for v in self.values:
            if v.start <= year and (best is None or v.start >= best.start):
                best = v
        return best


@dataclass(frozen=True)
class Define:
    name: str
    level: Level
    expr: str
    zh: str
    en: str


@dataclass(frozen=True)
class Override:
    what: str  # 'parameter' | 'rule' | 'disable' | 'added' (a name an overlay adds)
    name: str
    by: str
    ref: str
    detail: str


@dataclass
class Policy:
    name: str
    version: str
    title: dict[str, str]
    chain: list[str]
    parameters: dict[str, Parameter]
    defines: dict[str, Define]
    rules: dict[str, Rule]
    overrides: list[Override] = field(default_factory=list)
    content_hash: str = ""

    def rules_of(self, level: Level) -> list[Rule]:
        return [r for r in self.rules.values() if r.level == level]


def _read(name: str, directory: Path) -> dict[str, Any]:
    path = directory / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in directory.glob("*.yaml"))
        zh, en = suggest(name, known)
        raise PolicyInvalid([(f"找不到政策文件 {name}{zh}", f"no policy file '{name}'{en}")])
    return _read_path(path, name)


def _read_path(path: Path, name: str) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    if not isinstance(data, dict):
        raise PolicyInvalid([(f"{name}: 文件不是映射", f"{name}: the file is not a mapping")])
    problems: list[tuple[str, str]] = []
    for part in data.get("include") or []:
        # Parts (policies/parts/*.yaml beside the file) add sections to the file that includes them.
        included = _read(f"parts/{part}", path.parent)
        for section in ("parameters", "define", "rules"):
            mine, theirs = data.get(section) or {}, included.get(section) or {}
            for both in sorted(set(mine) & set(theirs)):
                problems.append(
                    (
                        f"{name}: {section}.{both} 在文件和所含部分 {part} 中重复定义",
                        f"{name}: {section}.{both} is defined both in the file and in its part "
                        f"'{part}'",
                    )
                )
            data[section] = {**mine, **theirs}
    if problems:
        raise PolicyInvalid(problems)
    return data


def _read_overlay(path: Path, chain: list[str]) -> tuple[str, dict[str, Any]]:
    """An overlay file: its name (``policy:``, else the file name) and contents."""
    if not path.exists():
        raise PolicyInvalid([(f"找不到叠加政策文件 {path}", f"no overlay policy file '{path}'")])
    data = _read_path(path, path.stem)
    name = str(data.get("policy") or path.stem)
    problems = []
    if data.get("extends"):
        problems.append(
            (
                f"{name}: 叠加文件不能 extends（它叠加在正在使用的政策之上）",
                f"{name}: an overlay does not 'extends' (it is laid over the policy in force)",
            )
        )
    if name in chain:
        problems.append(
            (
                f"{name}: 叠加文件与政策链中的文件同名",
                f"{name}: an overlay has the name of a file already in the chain",
            )
        )
    if problems:
        raise PolicyInvalid(problems)
    return name, data


def _check_keys(
    where: str, data: dict[str, Any], allowed: tuple[str, ...]
) -> list[tuple[str, str]]:
    out = []
    for key in data:
        if key not in allowed:
            zh, en = suggest(str(key), allowed)
            out.append((f"{where}: 未知字段 {key}{zh}", f"{where}: unknown key '{key}'{en}"))
    return out


def _structure_problems(name: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _check_keys(name, data, TOP_KEYS)
    for pname, p in (data.get("parameters") or {}).items():
        problems += _check_keys(f"{name}.parameters.{pname}", p, PARAM_KEYS)
        for v in p.get("values") or []:
            problems += _check_keys(f"{name}.parameters.{pname}", v, VALUE_KEYS)
            if "ref" not in v and "ref" not in p:
                problems.append(
                    (
                        f"{name}.parameters.{pname}: 取值 {v.get('value')} 缺少政策依据（ref）",
                        f"{name}.parameters.{pname}: value {v.get('value')} has no reference (ref)",
                    )
                )
    for rname, r in (data.get("rules") or {}).items():
        problems += _check_keys(f"{name}.rules.{rname}", r, RULE_KEYS)
        if "kind" in r and r["kind"] not in KINDS:
            zh, en = suggest(r["kind"], KINDS)
            problems.append(
                (f"{name}.rules.{rname}: 未知类别 {r['kind']}{zh}", f"{rname}: unknown kind{en}")
            )
        for cname, c in (r.get("clauses") or {}).items():
            problems += _check_keys(f"{name}.rules.{rname}.{cname}", c, CLAUSE_KEYS)
    for dname, d in (data.get("define") or {}).items():
        problems += _check_keys(f"{name}.define.{dname}", d, DEFINE_KEYS)
    return problems


def _merge_params(
    merged: dict[str, dict[str, Any]],
    name: str,
    params: dict[str, Any],
    ovr: list[Override],
    added: bool = False,
) -> None:
    for pname, p in params.items():
        values = [
            {**v, "ref": v.get("ref", p.get("ref", "")), "source": name}
            for v in p.get("values") or []
        ]
        if pname in merged:
            starts = {v["from"] for v in values}
            kept = [v for v in merged[pname]["values"] if v["from"] not in starts]
            merged[pname] = {**merged[pname], **{k: p[k] for k in ("zh", "en", "unit") if k in p}}
            merged[pname]["values"] = kept + values
            for v in values:
                detail = f"{pname} = {v['value']} (from {v['from']})"
                ovr.append(Override("parameter", pname, name, v["ref"], detail))
        else:
            merged[pname] = {**p, "values": values}
            if added:
                first = values[0] if values else {"ref": p.get("ref", ""), "value": None}
                detail = f"parameter {pname} = {first['value']}"
                ovr.append(Override("added", pname, name, first["ref"], detail))


def _merge_rules(
    merged: dict[str, dict[str, Any]],
    name: str,
    rules: dict[str, Any],
    ovr: list[Override],
    added: bool = False,
) -> None:
    for rname, r in rules.items():
        r = copy.deepcopy(r)
        if "test" in r:  # shorthand: one clause named after the rule
            r.setdefault("clauses", {})[rname] = {
                "test": r.pop("test"),
                "zh": r.get("zh", ""),
                "en": r.get("en", ""),
            }
        if rname in merged:
            old = merged[rname]
            clauses = {**old.get("clauses", {}), **r.get("clauses", {})}
            merged[rname] = {**old, **r, "clauses": clauses, "source": name}
            ovr.append(Override("rule", rname, name, r.get("ref", ""), ", ".join(r)))
        else:
            merged[rname] = {**r, "source": name}
            if added:
                ovr.append(Override("added", rname, name, r.get("ref", ""), f"rule {rname}"))


def _build(merged: dict[str, Any], name: str, chain: list[str], ovr: list[Override]) -> Policy:
    params = {
        n: Parameter(
            n,
            p.get("zh", ""),
            p.get("en", ""),
            str(p.get("unit", "")),
            tuple(Value(int(v["from"]), v["value"], v["ref"], v["source"]) for v in p["values"]),
        )
        for n, p in merged["parameters"].items()
    }
    defines = {
        n: Define(n, d.get("level", "household"), str(d["expr"]), d.get("zh", ""), d.get("en", ""))
        for n, d in merged["define"].items()
    }
    rules = {
        n: Rule(
            n,
            r.get("kind", "quality"),
            r.get("level", "household"),
            r.get("zh", ""),
            r.get("en", ""),
            r.get("ref", ""),
            r.get("match", "all"),
            r.get("applies"),
            tuple(
                Clause(cn, str(c["test"]), c.get("zh", ""), c.get("en", ""))
                for cn, c in (r.get("clauses") or {}).items()
            ),
            r["source"],
            r.get("from"),
            r.get("until"),
        )
        for n, r in merged["rules"].items()
    }
    digest = hashlib.sha256(json.dumps(merged, sort_keys=True, default=str).encode()).hexdigest()
    return Policy(
        name=name,
        version=str(merged.get("version", "")),
        title=merged.get("title") or {},
        chain=chain,
        parameters=params,
        defines=defines,
        rules=rules,
        overrides=ovr,
        content_hash=digest,
    )


def load(
    name: str, directory: Path | None = None, *, overlays: Sequence[Path | str] = ()
) -> Policy:
    """Read a policy and its ancestors, with ``overlays`` laid over it in order (cached until one
    of the files changes)."""
    directory = directory or POLICY_DIR
    layers = tuple(Path(o).resolve() for o in overlays)
    files = [*directory.rglob("*.yaml")]
    for o in layers:
        files += [o, *o.parent.glob("parts/*.yaml")] if o.exists() else []
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))
    return _load_cached(name, directory, layers, stamp)


@functools.lru_cache(maxsize=64)
def _load_cached(
    name: str,
    directory: Path,
    overlays: tuple[Path, ...],
    stamp: tuple[tuple[str, int, int], ...],
) -> Policy:
    """Read a policy and its ancestors, merge them, lay the overlays over them, and check their
    structure (not expressions: ``compiler.compile_policy`` checks those). Raises
    ``PolicyInvalid`` listing every problem."""
    directory = directory or POLICY_DIR
    files: list[tuple[str, dict[str, Any]]] = []
    current: str | None = name
    while current:
        if any(current == n for n, _ in files):
            raise PolicyInvalid([(f"{current}: 继承关系成环", f"{current}: 'extends' loops")])
        data = _read(current, directory)
        files.insert(0, (current, data))
        current = data.get("extends")
    n_chain = len(files)
    for path in overlays:
        files.append(_read_overlay(path, [f for f, _ in files]))
    problems: list[tuple[str, str]] = []
    for fname, data in files:
        problems += _structure_problems(fname, data)
    if problems:
        raise PolicyInvalid(problems)
    merged: dict[str, Any] = {"parameters": {}, "define": {}, "rules": {}}
    ovr: list[Override] = []
    for i, (fname, data) in enumerate(files):
        overlay = i >= n_chain
        if not overlay:  # an overlay keeps the policy's version and title
            merged["version"] = data.get("version", merged.get("version"))
            merged["title"] = data.get("title", merged.get("title"))
        record = ovr if i else []
        _merge_params(merged["parameters"], fname, data.get("parameters") or {}, record, overlay)
        _merge_rules(merged["rules"], fname, data.get("rules") or {}, record, overlay)
        for dname, d in (data.get("define") or {}).items():
            if overlay:
                what = "define" if dname in merged["define"] else "added"
                ovr.append(Override(what, dname, fname, "", f"define {dname}"))
            merged["define"][dname] = d
        for rname in data.get("disable") or []:
            if merged["rules"].pop(rname, None) is None:
                zh, en = suggest(rname, merged["rules"])
                problems.append(
                    (f"{fname}: 停用的规则 {rname} 不存在{zh}", f"{fname}: no rule '{rname}'{en}")
                )
            ovr.append(Override("disable", rname, fname, "", "disabled"))
    if problems:
        raise PolicyInvalid(problems)
    if len(files) > n_chain:
        # The overlays' contents are part of what decides: the hash covers them.
        merged["overlays"] = [f for f, _ in files[n_chain:]]
    return _build(merged, files[n_chain - 1][0], [f for f, _ in files], ovr)
