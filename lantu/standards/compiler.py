"""Policy expressions → SQL, through sqlglot, with nothing unparsed reaching the engine.

Each expression (a clause's ``test``, a rule's ``applies``, a ``define``) is parsed by sqlglot, then
rebuilt node by node: only whitelisted node types and functions pass, every identifier is resolved
against the schema (``lantu.standards.schema``), the policy's parameters, its defines and its other
rules, and anything unknown is refused with the nearest known name. Resolution:

- a parameter becomes a literal: its value in force in the evaluation year (``previous.x``: the
  year before, NULL when it had no value then); a list parameter may only stand on the right of
  ``IN``;
- a variable of the expression's level becomes a column; a variable of the level below (a member
  variable in a household rule) is only allowed inside an aggregate — ``any``/``all`` → a bit
  of one BIT_OR per level (``_Ctx.flag``), ``count(c)`` → ``COUNT(*) FILTER (WHERE c)``,
  ``sum``/``min``/``max``/``avg`` — which the compiler lifts into the level's GROUP BY step and
  replaces by a column;
- a rule of the same level is inlined (its clauses joined by AND or OR); a rule of the level below
  is a column of that level's result table, usable in aggregates (a village counts its households
  that pass ``household_exit``);
- a coded variable compared with a string checks that the string is one of its codes.

The output, ``Compiled``, is plain SQL text per level, consumed by ``lantu.standards.pipeline``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from lantu.standards import schema
from lantu.standards.policy import Policy, PolicyInvalid, Rule, suggest
from lantu.standards.schema import Level

NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
ALLOWED: tuple[type[exp.Expression], ...] = (
    exp.And, exp.Or, exp.Not, exp.Paren, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
    exp.Is, exp.In, exp.Between, exp.Like, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg,
    exp.Literal, exp.Boolean, exp.Null, exp.Column, exp.Identifier, exp.If, exp.Case,
    exp.Coalesce, exp.Nullif, exp.Least, exp.Greatest, exp.Abs, exp.Round, exp.Length,
    exp.Substring, exp.Upper, exp.Lower, exp.Any, exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg,
    exp.Anonymous, exp.Star, exp.Tuple, exp.DPipe,
)  # fmt: skip
AGGREGATES = (exp.Any, exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg)
FUNCTIONS = (
    "any all count sum min max avg if coalesce nullif least greatest abs round length "
    "substring upper lower matches"
).split()
_AGG_DEFAULT = {"count": "0", "sum": "0"}
MASK_BITS = 62


@dataclass
class Aggregate:
    column: str
    func: str
    sql: str  # over the child level's rows


@dataclass
class ClauseSql:
    column: str
    rule: str
    clause: str
    sql: str


@dataclass
class LevelSql:
    level: Level
    aggregates: dict[str, Aggregate] = field(default_factory=dict)  # keyed by SQL, deduplicated
    flags: dict[str, int] = field(default_factory=dict)  # "any c"/"all c" → bit (see flag)
    defines: dict[str, str] = field(default_factory=dict)
    clauses: list[ClauseSql] = field(default_factory=list)
    applies: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)  # over clause/applies columns
    rules: list[Rule] = field(default_factory=list)
    # Rules in dependency order: a rule reads the rules of earlier layers as columns t__<rule>.
    layers: list[list[str]] = field(default_factory=list)

    def failed_columns(self) -> list[str]:
        """The result's BIGINT columns that carry the failed clauses: clause i of ``clauses`` is
        bit ``i % MASK_BITS`` of ``failed_<i // MASK_BITS>`` (``explain.failed_text`` spells them
        out)."""
        return [f"failed_{k}" for k in range((len(self.clauses) + MASK_BITS - 1) // MASK_BITS)]


@dataclass
class Compiled:
    policy: Policy
    year: int
    levels: dict[Level, LevelSql]
    previous: set[str]  # yearly variables read as previous.<name>
    # 'rule.clause' → (rule zh, rule en, clause zh, clause en)
    clause_text: dict[str, tuple[str, str, str, str]]
    needed: dict[Level, set[str]] = field(default_factory=dict)  # defines read by the level above


def _lit(value: Any) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


class _Ctx:
    """Compiles the expressions of one level; collects problems instead of stopping at the first."""

    def __init__(self, c: Compiled, level: Level, problems: list[tuple[str, str]]) -> None:
        self.c, self.level, self.problems = c, level, problems
        self.out = c.levels[level]
        self.stack: list[str] = []
        self.deps: set[str] = set()  # same-level rules read by the expression being compiled

    def fail(self, where: str, zh: str, en: str) -> exp.Expression:
        self.problems.append((f"{where}: {zh}", f"{where}: {en}"))
        return exp.Null()

    def names(self, level: Level) -> list[str]:
        p = self.c.policy
        return [
            *schema.variables(level),
            *p.parameters,
            *(n for n, d in p.defines.items() if d.level == level),
            *(r.name for r in p.rules_of(level)),
            "evaluation_year",
        ]

    # --- identifiers -------------------------------------------------------------------------
    def param(self, where: str, name: str, year: int) -> exp.Expression | list[exp.Expression]:
        value = self.c.policy.parameters[name].at(year)
        if value is None:
            return self.fail(
                where, f"参数 {name} 在 {year} 年没有取值", f"'{name}' has no value in {year}"
            )
        if isinstance(value.value, list):
            return [_lit(v) for v in value.value]
        return _lit(value.value)

    def ident(self, where: str, col: exp.Column, level: Level, inner: bool) -> Any:
        name, table = col.name, col.table
        p = self.c.policy
        if table == "previous":
            if name in p.parameters:
                if p.parameters[name].at(self.c.year - 1) is None:
                    # Not yet in force last year (the monitoring line before 2021): unknown,
                    # NULL, so a rule can fall back with coalesce().
                    return exp.Null()
                return self.param(where, name, self.c.year - 1)
            var = schema.variables("household").get(name)
            if level == "household" and var is not None and var.yearly:
                self.c.previous.add(name)
                return exp.column(f"previous__{name}")
            return self.fail(where, f"previous.{name} 无上年值", f"previous.{name} has no value")
        if table:
            return self.fail(where, f"不支持限定名 {table}.{name}", f"unsupported '{table}.{name}'")
        if name in p.parameters:
            return self.param(where, name, self.c.year)
        if name == "evaluation_year":
            return _lit(self.c.year)
        if name in p.rules and p.rules[name].level == level and p.rules[name].in_force(self.c.year):
            if inner:
                return exp.column(name)
            self.deps.add(name)
            return exp.column(f"t__{name}")
        if name in p.defines and p.defines[name].level == level:
            if inner or level != self.level:
                self.c.needed.setdefault(level, set()).add(name)
                return exp.column(name)
            if f"define:{name}" in self.stack:
                return self.fail(where, f"{name} 循环引用", f"'{name}' refers to itself")
            self.stack.append(f"define:{name}")
            inlined = exp.Paren(this=self.compile(where, p.defines[name].expr))
            self.stack.pop()
            return inlined
        if name in schema.variables(level):
            return exp.column(name)
        child = schema.CHILD.get(level)
        if child and name in self.names(child):
            return self.fail(
                where,
                f"{name} 是下一级变量，须放在 any/all/count/sum/min/max 中",
                f"'{name}' belongs to the level below: wrap it in any/all/count/sum/min/max",
            )
        zh, en = suggest(name, self.names(level))
        return self.fail(where, f"未知名称 {name}{zh}", f"unknown name '{name}'{en}")

    # --- nodes -------------------------------------------------------------------------------
    def compile(self, where: str, text: str, *, truth: bool = False) -> exp.Expression:
        """``truth``: a clause or condition, where unknown (NULL) counts as not met."""
        try:
            tree = sqlglot.parse_one(str(text), read="duckdb")
        except ParseError as e:
            return self.fail(where, f"表达式无法解析：{e}", f"cannot parse the expression: {e}")
        for node in tree.walk():
            if not isinstance(node, ALLOWED):
                kind = type(node).__name__
                return self.fail(where, f"不允许的写法 {kind}", f"'{kind}' is not allowed")
        out = self.node(where, tree, self.level, inner=False)  # type: ignore[arg-type]
        return exp.Coalesce(this=out, expressions=[exp.false()]) if truth else out

    def node(self, where: str, n: exp.Expression, level: Level, inner: bool) -> exp.Expression:
        if isinstance(n, exp.Column):
            got = self.ident(where, n, level, inner)
            if isinstance(got, list):
                return self.fail(
                    where, f"列表参数 {n.name} 只能用于 IN", f"list '{n.name}' only after IN"
                )
            return got  # type: ignore[no-any-return]
        if isinstance(n, AGGREGATES) or (isinstance(n, exp.Anonymous) and n.name.lower() == "all"):
            return self.aggregate(where, n, level, inner)
        if isinstance(n, exp.Anonymous):
            return self.function(where, n, level, inner)
        if isinstance(n, exp.In) and isinstance(n.args.get("field"), exp.Column):
            got = self.ident(where, n.args["field"], level, inner)
            items = got if isinstance(got, list) else [got]
            self.check_codes(where, n.this, items, level)
            return exp.In(this=self.node(where, n.this, level, inner), expressions=items)
        if isinstance(n, exp.EQ | exp.NEQ | exp.In):
            others = n.expressions if isinstance(n, exp.In) else [n.expression]
            self.check_codes(where, n.this, others, level)
        new = n.copy()
        for key, arg in n.args.items():
            if isinstance(arg, exp.Expression):
                new.set(key, self.node(where, arg, level, inner))
            elif isinstance(arg, list):
                new.set(
                    key,
                    [
                        self.node(where, a, level, inner) if isinstance(a, exp.Expression) else a
                        for a in arg
                    ],
                )
        return new

    def function(self, where: str, n: exp.Anonymous, level: Level, inner: bool) -> exp.Expression:
        fname = n.name.lower()
        args = [self.node(where, a, level, inner) for a in n.expressions]
        if fname == "matches" and len(args) == 2:
            return exp.RegexpLike(this=args[0], expression=args[1])
        zh, en = suggest(fname, FUNCTIONS)
        return self.fail(where, f"未知函数 {fname}{zh}", f"unknown function '{fname}'{en}")

    def aggregate(self, where: str, n: exp.Expression, level: Level, inner: bool) -> exp.Expression:
        child = schema.CHILD.get(level)
        if inner or child is None:
            return self.fail(where, "聚合函数不能嵌套或用于成员级", "aggregates cannot nest here")
        func = "all" if isinstance(n, exp.Anonymous) else type(n).__name__.lower()
        arg = n.expressions[0] if isinstance(n, exp.Anonymous) and n.expressions else n.this
        if isinstance(arg, exp.Star):
            arg = None
        body = self.node(where, arg, child, inner=True) if arg is not None else None
        if body is None:
            sql = "COUNT(*)" if func == "count" else ""
            if not sql:
                return self.fail(where, f"{func}() 需要参数", f"{func}() needs an argument")
        elif func in ("any", "all"):
            return self.flag(level, body, func)
        else:
            b = body.sql(dialect="duckdb")
            sql = {
                "any": f"BOOL_OR(COALESCE({b}, FALSE))",
                "all": f"BOOL_AND(COALESCE({b}, FALSE))",
                # COUNT(*) FILTER: DuckDB runs it ~2× faster than COUNT_IF over a GROUP BY
                "count": f"COUNT(*) FILTER (WHERE {b})",
                "sum": f"CAST(SUM({b}) AS DOUBLE)",
            }.get(func, f"{func.upper()}({b})")
        aggs = self.c.levels[level].aggregates
        if sql not in aggs:
            aggs[sql] = Aggregate(f"agg_{len(aggs)}", func, sql)
        col: exp.Expression = exp.column(aggs[sql].column)
        if func in _AGG_DEFAULT:
            col = exp.Coalesce(this=col, expressions=[sqlglot.parse_one(_AGG_DEFAULT[func])])
        return col

    def flag(self, level: Level, body: exp.Expression, func: str) -> exp.Expression:
        """``any(c)`` and ``all(c)`` share one BIT_OR per 62 conditions: a member sets bit i when
        condition i holds (``all``: when it does not), so dozens of boolean aggregates cost one
        aggregate state. any ⇔ the bit is set; all ⇔ it is not; no rows: any false, all true."""
        # The bit is set when the condition is true (any) or not true (all): a NULL condition
        # counts as false, as COALESCE(c, FALSE) would, without a function per member.
        cond = f"{func} {body.sql(dialect='duckdb')}"  # "any c" / "all c", see _bit
        flags = self.c.levels[level].flags
        i = flags.setdefault(cond, len(flags))
        mask = f"COALESCE(mask_{i // MASK_BITS}, 0) & {1 << (i % MASK_BITS)}"
        test = f"({mask}) {'<>' if func == 'any' else '='} 0"
        return sqlglot.parse_one(test, read="duckdb")  # type: ignore[return-value]

    def check_codes(self, where: str, lhs: exp.Expression, rhs: list[Any], level: Level) -> None:
        if not isinstance(lhs, exp.Column) or lhs.table:
            return
        var = schema.variables(level).get(lhs.name)
        if var is None or var.codes is None:
            return
        known = [c.code for c in var.codes]
        for r in rhs:
            if isinstance(r, exp.Literal) and r.is_string and r.this not in known:
                zh, en = suggest(r.this, known)
                self.fail(
                    where,
                    f"{lhs.name} 没有代码 '{r.this}'{zh}",
                    f"'{lhs.name}' has no code '{r.this}'{en}",
                )


def _bit(cond: str, bit: int) -> str:
    """``bit`` where the flag holds: ``any c`` sets it when c is true, ``all c`` when c is not
    true — false or NULL — hence the ELSE."""
    func, sql = cond.split(" ", 1)
    if func == "all":
        return f"CASE WHEN ({sql}) THEN 0 ELSE {bit} END"
    return f"CASE WHEN ({sql}) THEN {bit} ELSE 0 END"


def _masks(out: LevelSql) -> None:
    """The BIT_OR aggregates that carry the level's any/all conditions (see ``_Ctx.flag``)."""
    conds = list(out.flags)
    for m in range(0, len(conds), MASK_BITS):
        bits = " | ".join(_bit(cond, 1 << (i % MASK_BITS))
                          for i, cond in enumerate(conds[m : m + MASK_BITS], start=m))  # fmt: skip
        sql = f"BIT_OR(CAST({bits} AS BIGINT))"
        out.aggregates[sql] = Aggregate(f"mask_{m // MASK_BITS}", "mask", sql)


def _layers(deps: dict[str, set[str]], problems: list[tuple[str, str]]) -> list[list[str]]:
    """Rules grouped so that each reads only rules of earlier groups; a cycle is a problem."""
    done: set[str] = set()
    layers = []
    while len(done) < len(deps):
        layer = [r for r, d in deps.items() if r not in done and d <= done]
        if not layer:
            stuck = sorted(set(deps) - done)
            problems.append(
                (
                    f"规则循环引用：{', '.join(stuck)}",
                    f"rules refer to each other in a cycle: {stuck}",
                )
            )
            break
        layers.append(layer)
        done |= set(layer)
    return layers


def _check_names(policy: Policy, problems: list[tuple[str, str]]) -> None:
    taken = {n for lv in schema.LEVELS for n in schema.variables(lv)}
    for name in [*policy.rules, *policy.defines, *policy.parameters]:
        if not NAME.match(name) or name in taken or name in FUNCTIONS:
            problems.append(
                (f"名称 {name} 不合法或与变量重名", f"name '{name}' is invalid or shadows a name")
            )
    for rule in policy.rules.values():
        if rule.match not in ("all", "any") or not rule.clauses:
            problems.append(
                (f"{rule.name}: match 须为 all/any 且至少一个条款", f"{rule.name}: bad")
            )


_CACHE: dict[tuple[str, str, int], Compiled] = {}


def compile_policy(policy: Policy, year: int) -> Compiled:
    """Check and compile every define and rule of ``policy`` for ``year``; raise PolicyInvalid
    listing every problem found. Compiled policies are kept by content hash and year."""
    key = (policy.name, policy.content_hash, year)
    if key not in _CACHE:
        _CACHE[key] = _compile(policy, year)
    return _CACHE[key]


def _compile(policy: Policy, year: int) -> Compiled:
    problems: list[tuple[str, str]] = []
    _check_names(policy, problems)
    levels: dict[Level, LevelSql] = {lv: LevelSql(lv) for lv in schema.LEVELS if lv != "member"}
    c = Compiled(policy, year, levels, set(), {})
    # Top down, so that each level knows which of its defines the level above reads.
    for level, out in reversed(levels.items()):
        ctx = _Ctx(c, level, problems)
        deps: dict[str, set[str]] = {}
        for rule in policy.rules_of(level):
            if not rule.in_force(year):
                continue
            out.rules.append(rule)
            ctx.deps = set()
            cols = []
            for cl in rule.clauses:
                col = f"c__{rule.name}__{cl.name}"
                sql = ctx.compile(f"{rule.name}.{cl.name}", cl.test, truth=True).sql("duckdb")
                out.clauses.append(ClauseSql(col, rule.name, cl.name, sql))
                c.clause_text[f"{rule.name}.{cl.name}"] = (rule.zh, rule.en, cl.zh, cl.en)
                cols.append(col)
            applies = "TRUE"
            if rule.applies:
                where = f"{rule.name}.applies"
                applies = ctx.compile(where, rule.applies, truth=True).sql("duckdb")
            out.applies[rule.name] = applies
            out.outcomes[rule.name] = (" AND " if rule.match == "all" else " OR ").join(cols)
            deps[rule.name] = ctx.deps
        out.layers = _layers(deps, problems)
        for name in sorted(c.needed.get(level, set())):
            out.defines[name] = ctx.compile(name, policy.defines[name].expr).sql("duckdb")
        _masks(out)
    if problems:
        raise PolicyInvalid(problems)
    return c
