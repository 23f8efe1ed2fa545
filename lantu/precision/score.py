"""Every decision family Lantu proposes, scored against the simulation's truth.

``score(folder, year)`` returns one row per family: how many households Lantu proposes, how many
of them the truth bears out (precision), how many the truth calls for (recall), and the most
common reasons of the wrong and the missed ones. A campaign year (≤ 2020) is read from the
simulation's observed registry as it stood then (identification, exit, return, exclusion); a
later year from the application's database with its linked department data (monitoring by type,
risk elimination, exclusion findings and the 回头看 effect, the omission search, linkage).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from lantu.precision import decisions, truth


@dataclass
class Family:
    name: str
    zh: str
    proposals: int = 0
    right: int = 0
    truth: int = 0
    found: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    wrong_reasons: list[tuple[str, int]] = field(default_factory=list)
    missed_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.right / self.proposals if self.proposals else None

    @property
    def recall(self) -> float | None:
        return self.found / self.truth if self.truth else None

    def row(self) -> dict[str, Any]:
        return {
            "family": self.name,
            "zh": self.zh,
            "proposals": self.proposals,
            "right": self.right,
            "precision": self.precision,
            "truth": self.truth,
            "found": self.found,
            "recall": self.recall,
            **{k: v for k, v in self.extra.items()},
            "wrong_reasons": "; ".join(f"{k} {v}" for k, v in self.wrong_reasons),
            "missed_reasons": "; ".join(f"{k} {v}" for k, v in self.missed_reasons),
        }


def _top(values: list[str | None], n: int = 4) -> list[tuple[str, int]]:
    c: Counter[str] = Counter()
    for v in values:
        for part in (v or "—").split(","):
            c[part] += 1
    return c.most_common(n)


def _only(failed: str | None, prefix: str) -> str:
    """The failed clause ids of one rule (``prefix``), comma-separated."""
    return ",".join(c for c in (failed or "").split(",") if c.startswith(prefix))


def _true_reason(row: dict[str, Any], line: float) -> str:
    """Why the truth says a household does not need monitoring."""
    if row.get("pc") is None:
        return "truth:not_in_year"
    if row["pc"] >= line:
        return "truth:income_above_line"
    return "truth:no_risk_this_year"


def _any(frame: pl.DataFrame, rules: list[str]) -> pl.Expr:
    have = [r for r in rules if r in frame.columns]
    if not have:
        return pl.lit(False)
    return pl.any_horizontal([pl.col(r).fill_null(False) for r in have])


def score(
    folder: Path, year: int, *, policy: str = "yunnan", region_path: str = ""
) -> list[Family]:
    if year <= 2020:
        return _campaign(folder, year, policy)
    return _monitoring_years(folder, year, policy, region_path)


def _joined(folder: Path, frame: pl.DataFrame, year: int) -> pl.DataFrame:
    t = truth.household_year(folder, year).select(
        "household_id", "pc", "true_poor", "true_monitoring", "size",
        *[c for c in truth.household_year(folder, year).columns if c.startswith("shock_") or
          c.endswith("_fail")],
    )  # fmt: skip
    return frame.join(truth.registry_links(folder), on="household_no", how="left").join(
        t, on="household_id", how="left"
    )


def _campaign(folder: Path, year: int, policy: str) -> list[Family]:
    frame, _kinds, villages = decisions.observed_decisions(folder, year=year, policy=policy)
    d = _joined(folder, frame, year)
    out = []
    poor = d.filter(pl.col("status").is_in(["poor", "returned"]))
    fam = Family("exit", "脱贫退出")
    prop = poor.filter(pl.col("household_exit").fill_null(False))
    fam.proposals = prop.height
    fam.right = prop.filter(~pl.col("true_poor").fill_null(False)).height
    fam.truth = poor.filter(~pl.col("true_poor").fill_null(True)).height
    fam.found = fam.right
    fam.extra["wrong_exit_rate"] = (
        (fam.proposals - fam.right) / fam.proposals if fam.proposals else None
    )
    line = _line(policy, year, "income_line")
    fails = ("housing_fail", "education_fail", "medical_fail", "water_fail")
    fam.wrong_reasons = _top(
        [",".join(["truth:income_below_line"] * ((r["pc"] or 0) < line)
                  + [f"truth:{f}" for f in fails if r.get(f)])
         for r in prop.filter(pl.col("true_poor").fill_null(False)).iter_rows(named=True)]
    )  # fmt: skip
    fam.missed_reasons = _top(
        [_only(f, "household_exit.") for f in poor.filter(
            ~pl.col("true_poor").fill_null(True) & ~pl.col("household_exit").fill_null(False)
        )["failed"].to_list()]
    )  # fmt: skip
    out.append(fam)
    fam = Family("identification", "贫困识别（在册户）")
    prop = d.filter(pl.col("identification").fill_null(False))
    fam.proposals, fam.right = prop.height, prop.filter(pl.col("true_poor").fill_null(False)).height
    fam.truth = d.filter(pl.col("true_poor").fill_null(False)).height
    fam.found = fam.right
    out.append(fam)
    out.append(_villages(folder, year, villages))
    fam = Family("return", "返贫")
    ex = d.filter(pl.col("status") == "exited")
    prop = ex.filter(pl.col("return_to_poverty").fill_null(False))
    fam.proposals, fam.right = prop.height, prop.filter(pl.col("true_poor").fill_null(False)).height
    fam.truth = ex.filter(pl.col("true_poor").fill_null(False)).height
    fam.found = fam.right
    out.append(fam)
    return out


def _monitoring_years(folder: Path, year: int, policy: str, region_path: str) -> list[Family]:
    from lantu.standards.policy import load

    frame, kinds, villages = decisions.household_decisions(
        year=year, policy=policy, region_path=region_path
    )
    d = _joined(folder, frame, year)
    param = load(policy).parameters["monitoring_line"].at(year)
    line = float(param.value) if param is not None else 0.0
    mon_rules = decisions.rules_of(kinds, "monitoring")
    out: list[Family] = []
    new = d.filter(_any(d, mon_rules))
    kept = d.filter(
        (pl.col("status") == "monitored") & ~pl.col("risk_elimination").fill_null(False)
    )
    in_set = pl.concat([new.select("household_no"), kept.select("household_no")]).unique()
    at_risk = pl.col("true_monitoring").is_not_null()
    all_true = truth.household_year(folder, year).filter(at_risk)
    # 1. new monitoring proposals
    fam = Family("monitoring_proposals", "监测对象纳入（新提议）")
    fam.proposals, fam.right = new.height, new.filter(at_risk).height
    candidates = d.filter(pl.col("status") != "monitored")
    fam.truth = candidates.filter(at_risk).height
    fam.found = fam.right
    fam.wrong_reasons = _top(
        [_true_reason(r, line) for r in new.filter(~at_risk).iter_rows(named=True)]
    )
    fam.missed_reasons = _top(
        [_only(f, "monitor_") for f in
         candidates.filter(at_risk & ~_any(candidates, mon_rules))["failed"].to_list()]
    )  # fmt: skip
    out.append(fam)
    # each monitoring type: the proposal's type against the true type
    for rule in mon_rules:
        if rule not in d.columns:
            continue
        p = d.filter(pl.col(rule).fill_null(False))
        typ = rule.removeprefix("monitor_")
        f = Family(f"monitoring:{rule}", f"监测类型 {typ}")
        f.proposals, f.right = p.height, p.filter(pl.col("true_monitoring") == typ).height
        f.truth = candidates.filter(pl.col("true_monitoring") == typ).height
        f.found = f.right
        f.extra["any_type_right"] = p.filter(at_risk).height
        out.append(f)
    # 2. the whole monitored set of the year (kept + new) against every truly at-risk household
    fam = Family("monitoring_set", "监测对象（在监 + 新纳入）")
    s = d.join(in_set, on="household_no", how="semi")
    fam.proposals, fam.right = s.height, s.filter(at_risk).height
    fam.truth = all_true.height
    fam.found = fam.right
    fam.extra["truth_in_registry"] = d.filter(at_risk).height
    fam.extra["recall_in_registry"] = fam.right / max(d.filter(at_risk).height, 1)
    out.append(fam)
    # 3. risk elimination
    fam = Family("risk_elimination", "风险消除")
    mon = d.filter(pl.col("status") == "monitored")
    p = mon.filter(pl.col("risk_elimination").fill_null(False))
    fam.proposals, fam.right = p.height, p.filter(~at_risk).height
    fam.truth = mon.filter(~at_risk).height
    fam.found = fam.right
    fam.missed_reasons = _top(
        [_only(f, "risk_elimination.") for f in
         mon.filter(~at_risk & ~pl.col("risk_elimination").fill_null(False))["failed"].to_list()]
    )  # fmt: skip
    # What the rule would propose once the assistance room supplies the measures taken: the
    # households whose only failed clause is `assisted`.
    waiting = mon.filter(
        pl.col("failed")
        .fill_null("")
        .map_elements(
            lambda f: _only(f, "risk_elimination.") == "risk_elimination.assisted",
            return_dtype=pl.Boolean,
        )
    )
    # 风险消除 (中农组发〔2021〕7号): "收入持续稳定、两不愁三保障及饮水安全持续巩固、返贫致贫风险
    # 已经稳定消除": the truth not at risk this year nor last year, with every guarantee and
    # water met this year — the policy's reading, scored beside the one-year one (a household
    # above the line in an unsafe house is not at risk in the truth, yet not ready either).
    before = truth.household_year(folder, year - 1).select(
        "household_id", pl.col("true_monitoring").alias("true_monitoring_before")
    )
    mon2 = mon.join(before, on="household_id", how="left")
    fails = ("housing_fail", "education_fail", "medical_fail", "water_fail")
    stable = (
        ~at_risk
        & pl.col("true_monitoring_before").is_null()
        & ~pl.any_horizontal([pl.col(f).fill_null(False) for f in fails if f in mon2.columns])
    )
    fam.extra["missed_stable_reasons"] = "; ".join(
        f"{k} {v}"
        for k, v in _top(
            [_only(f, "risk_elimination.") for f in mon2.filter(
                stable & ~pl.col("risk_elimination").fill_null(False))["failed"].to_list()]
        )
    )  # fmt: skip
    p2 = mon2.filter(pl.col("risk_elimination").fill_null(False))
    fam.extra["right_stable"] = p2.filter(stable).height
    fam.extra["precision_stable"] = p2.filter(stable).height / p2.height if p2.height else None
    fam.extra["truth_stable"] = mon2.filter(stable).height
    fam.extra["recall_stable"] = p2.filter(stable).height / max(mon2.filter(stable).height, 1)
    fam.wrong_reasons = _top(
        [f"truth:{r['true_monitoring']}" + (",truth:income_below_line" if (r["pc"] or 0) < line
          else "") for r in p.filter(at_risk).iter_rows(named=True)]
    )  # fmt: skip
    fam.extra["if_measures_supplied"] = waiting.height
    fam.extra["if_measures_supplied_precision"] = (
        waiting.filter(~at_risk).height / waiting.height if waiting.height else None
    )

    out.append(fam)
    out.append(_exclusion(folder, d, kinds))
    out.append(_omission(folder, year, policy, region_path))
    out += _linkage(folder)
    if villages.height and "village_exit" in villages.columns:
        fam = Family("village_exit", "贫困村退出（发生率以户籍农村人口为分母）")
        fam.proposals = villages.filter(pl.col("village_exit").fill_null(False)).height
        fam.extra["villages"] = villages.height
        fam.extra["incidence_failed"] = villages.filter(
            pl.col("failed").fill_null("").str.contains("village_exit.incidence")
        ).height
        out.append(fam)
    return out


def _exclusion(folder: Path, d: pl.DataFrame, kinds: list[str]) -> Family:
    """Exclusion findings against the wrongly identified households. Wrong by the
    identification standard in force at registration (国开办发〔2014〕24号 with the exclusion list
    of DOMAIN.md section 5; the ruler's ``identification`` rule asks ``exclusions_clear`` too):
    favouritism, not truly poor in the registration year, or a member holding what the list
    excludes by that year (the departments' true records, every record, linked or not). The
    income-and-favouritism reading alone is scored beside it (``*_income_only``)."""
    fam = Family("exclusion", "错评剔除（回头看）")
    registered = d.filter(pl.col("status").is_in(["poor", "returned", "exited", "monitored",
                                                   "risk_eliminated"]))  # fmt: skip
    w = truth.wrongly_included(folder, registered.select("household_no", "registration_year"))
    listed = truth.listed_at_registration(
        folder, registered.select("household_no", "registration_year"), _vehicle_line(d)
    )
    w = w.with_columns(
        listed=pl.col("household_no").is_in(listed["household_no"].implode()),
    ).with_columns(wrong_policy=pl.col("wrong") | pl.col("listed"))
    flagged = registered.filter(
        pl.col("status").is_in(["poor", "returned", "exited"])
        & ~pl.col("exclusions_clear").fill_null(True)
    )
    wf = w.join(flagged.select("household_no", "failed"), on="household_no", how="left")
    hit = wf.filter(pl.col("failed").is_not_null())
    after_n = w.height - hit.height
    fam.proposals = flagged.height
    fam.right = hit.filter(pl.col("wrong_policy")).height
    fam.truth = w.filter(pl.col("wrong_policy")).height
    fam.found = fam.right
    fam.extra["wrong_inclusion_before"] = fam.truth / w.height if w.height else 0.0
    fam.extra["wrong_inclusion_after"] = (fam.truth - fam.right) / after_n if after_n else 0.0
    fam.extra["registered"] = w.height
    fam.extra["listed_at_registration"] = w.filter(pl.col("listed")).height
    # The ceiling from department data: every household listed at registration found.
    n_listed = w.filter(pl.col("listed")).height
    rest = w.height - n_listed
    fam.extra["wrong_inclusion_after_every_listed"] = (fam.truth - n_listed) / rest if rest else 0.0
    right_income = hit.filter(pl.col("wrong")).height
    truth_income = w.filter(pl.col("wrong")).height
    fam.extra["precision_income_only"] = right_income / hit.height if hit.height else None
    fam.extra["recall_income_only"] = right_income / truth_income if truth_income else None
    fam.extra["wrong_income_only_before"] = truth_income / w.height if w.height else 0.0
    fam.extra["wrong_income_only_after"] = (
        (truth_income - right_income) / after_n if after_n else 0.0
    )
    fam.wrong_reasons = _top(
        [_only(f, "excl") for f in hit.filter(~pl.col("wrong_policy"))["failed"].to_list()]
    )
    missed = w.filter(pl.col("wrong_policy")).join(flagged, on="household_no", how="anti")
    fam.missed_reasons = [
        ("favouritism", missed.filter(pl.col("favouritism")).height),
        ("not_poor_at_registration",
         missed.filter(~pl.col("favouritism") & ~pl.col("true_poor").fill_null(True)).height),
        ("listed_not_flagged", missed.filter(pl.col("listed") & ~pl.col("wrong")).height),
    ]  # fmt: skip
    return fam


def _omission(folder: Path, year: int, policy: str, region_path: str) -> Family:
    """Candidates of the 漏评 search against the households outside the registry's reach (never
    registered, or removed with no record of the year) that the truth says need monitoring (or
    are poor); a candidate is mapped to its people's true household."""
    from lantu.matching import omissions

    fam = Family("omission_search", "漏评排查（户籍人口中未建档户）")
    code = region_path.rstrip("/").rsplit("/", 1)[-1].rstrip("0") if region_path else ""
    found = omissions.search(year=year, policy=policy, region_code=code)
    # Outside the registry's reach: households never registered, and households removed from it
    # of which it holds no record of the year (the search covers both; omissions.search).
    removed = truth.registry_links(folder).join(
        omissions.removed_without_record(year, region_path).with_columns(
            pl.col("household_no").cast(pl.String)
        ),
        on="household_no",
        how="semi",
    )
    outside = pl.concat(
        [
            truth.never_registered(folder, year),
            truth.household_year(folder, year).join(removed, on="household_id", how="semi"),
        ]
    ).unique("household_id")
    needed = outside.filter(pl.col("true_monitoring").is_not_null() | pl.col("true_poor"))
    fam.truth = needed.height
    needed_removed = needed.join(removed, on="household_id", how="semi")
    fam.extra["truth_removed"] = needed_removed.height
    if not found.height:
        return fam
    mapped = found.join(
        truth.register_households(folder, year).rename({"hukou_no": "household_no"}),
        on="household_no",
        how="left",
    )
    fam.proposals = found.height
    right = mapped.join(needed.select("household_id"), on="household_id", how="semi")
    fam.right = right.height
    fam.found = right.select("household_id").unique().height
    if "priority" in mapped.columns:  # the list ranked for the visits: tiers 1, 1-2
        for tier in (1, 2):
            first = mapped.filter(pl.col("priority") <= tier)
            first_right = right.filter(pl.col("priority") <= tier)
            name = "priority1" if tier == 1 else "priority1_2"
            fam.extra[f"{name}_proposed"] = first.height
            fam.extra[f"{name}_precision"] = (
                first_right.height / first.height if first.height else None
            )
            fam.extra[f"{name}_recall"] = (
                first_right.select("household_id").unique().height / fam.truth
                if fam.truth
                else None
            )
    found_removed = right.join(needed_removed.select("household_id"), on="household_id", how="semi")
    fam.extra["found_removed"] = found_removed.select("household_id").unique().height
    if "removed" in mapped.columns:
        fam.extra["removed_proposed"] = mapped.filter(pl.col("removed").fill_null(False)).height
    wrong = mapped.join(needed.select("household_id"), on="household_id", how="anti").join(
        outside.select("household_id", "pc"), on="household_id", how="left"
    )
    line = _line(policy, year)
    fam.wrong_reasons = _top(
        ["truth:income_above_line" if (r["pc"] or 0) >= line else "truth:no_risk_this_year"
         for r in wrong.iter_rows(named=True)]
    )  # fmt: skip
    return fam


def _line(policy: str, year: int, name: str = "monitoring_line") -> float:
    from lantu.standards.policy import load

    param = load(policy).parameters[name].at(year)
    return float(param.value) if param is not None else 0.0


def _vehicle_line(d: pl.DataFrame) -> float:
    from lantu.standards.policy import load

    top = d["year"].max() if "year" in d.columns and d.height else None
    year = int(top) if isinstance(top, int | float) else 2025
    param = load("yunnan").parameters["vehicle_value_threshold"].at(year)
    return float(param.value) if param is not None else 30000.0


def _villages(folder: Path, year: int, villages: pl.DataFrame) -> Family:
    """Village exit (incidence over the register's rural population) against the truth's
    incidence: true poor people over the village's true population, under the western 3%."""
    fam = Family("village_exit", "贫困村退出（发生率以户籍农村人口为分母）")
    if not villages.height or "village_exit" not in villages.columns:
        return fam
    t = truth.household_year(folder, year)
    inc = t.group_by("village_code").agg(
        (pl.col("size").filter(pl.col("true_poor")).sum() / pl.col("size").sum()).alias("inc")
    )
    v = villages.join(inc, on="village_code", how="left")
    ok = pl.col("inc").fill_null(1.0) < 0.03
    prop = v.filter(pl.col("village_exit").fill_null(False))
    fam.proposals, fam.right = prop.height, prop.filter(ok).height
    fam.truth = v.filter(ok).height
    fam.found = fam.right
    fam.extra["villages"] = v.height
    fam.extra["incidence_failed"] = v.filter(
        pl.col("failed").fill_null("").str.contains("village_exit.incidence")
    ).height
    fam.missed_reasons = _top([_only(f, "village_exit.") for f in
                               v.filter(ok & ~pl.col("village_exit").fill_null(False))["failed"]
                               .to_list()])  # fmt: skip
    return fam


def _linkage(folder: Path) -> list[Family]:
    """Department records linked to registry members, per dataset, all passes
    (``lantu.matching.scoring.linkage_table``): right when the record's true person is the
    member's; recall over the records whose true person is in the registry."""
    from lantu.matching.scoring import linkage_table

    table = linkage_table(folder)
    out: list[Family] = []
    if not table.height:
        return out
    for row in table.filter(pl.col("pass") == "all").iter_rows(named=True):
        fam = Family(f"linkage:{row['dataset']}", "数据比对关联")
        fam.proposals, fam.right = int(row["links"]), int(row["right"])
        fam.truth, fam.found = int(row["linkable"]), int(row["right"])
        out.append(fam)
    return out
