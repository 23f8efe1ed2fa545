"""Every write of the exit room: keyword-only functions taking the acting user, each writing its
ledger event in the same transaction.

- ``set_rosters``: the villages' household-register counts of a year (the frame outside the
  registry).
- ``draw_assessment``: the county's frame from the registry (registered households: exited,
  poor, returned) and the rosters (positions for the households outside it), drawn by
  ``lantu.exits.sampling`` and stored with its design, seed, frame digest and weights.
- ``record_answers``: the imported survey answers (``lantu.exits.fieldwork`` checks them).
- ``estimate_assessment``: 三率一度 with intervals and verdicts (``estimation``, ``verdict``),
  then the ruler's county rule run over the county with the assessment's rates as its county
  input (``lantu.standards``), stored as an evaluation run the county-exit procedure reads.
- ``region_exited``: the effect of a completed village or county exit (PovertyStatus).
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
from django.db import transaction

from lantu.accounts.roles import Perm, Role
from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.engine import snapshot
from lantu.engine.run import evaluate
from lantu.exits import estimation, sampling, verdict
from lantu.exits import policy as exit_policy
from lantu.exits.models import (
    Assessment,
    AssessmentState,
    SampledHousehold,
    SampledVillage,
    VillageRoster,
)
from lantu.ledger.services import Change, record
from lantu.regions.models import PovertyStatus, Region
from lantu.registry.models import Household
from lantu.standards.services import store

REGISTERED = {"exited": sampling.EXITED, "poor": sampling.POOR, "returned": sampling.POOR}


def _authorise(actor: Any, perm: Perm, path: str) -> None:
    if actor is None:
        return
    scope = actor.region.path if getattr(actor, "region_id", None) else None
    if scope is None or not path.startswith(scope):
        raise OutOfScope()
    if not actor.can(perm):
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")


def authorise_assessor(actor: Any, path: str) -> None:
    """The provincial pre-assessment is the province's: drawing, importing and estimating need
    the province's assessment role (or an administrator), inside the actor's scope."""
    _authorise(actor, Perm.APPROVE, path)
    roles = set(getattr(actor, "roles", None) or []) if actor is not None else set()
    if actor is not None and not roles & {Role.PROVINCE_APPROVAL.value, Role.ADMIN.value}:
        raise NotPermitted(
            "省级前置评估由省级评估审批人员办理", "the provincial pre-assessment is the province's"
        )


@transaction.atomic
def set_rosters(*, actor: Any, year: int, counts: dict[str, int], source: str) -> int:
    """Village code → households on its register; all or none."""
    villages = {r.code: r for r in Region.objects.filter(code__in=counts, level="village")}
    unknown = sorted(set(counts) - set(villages))
    if unknown:
        raise ValidationFailed(f"没有这些村代码：{', '.join(unknown[:10])}",
                               f"no such village codes: {', '.join(unknown[:10])}")  # fmt: skip
    for code, v in villages.items():
        _authorise(actor, Perm.EDIT, v.path)
        VillageRoster.objects.update_or_create(
            village=v, year=year, defaults={"households": counts[code], "source": source[:200]}
        )
    record(Change("exits.rosters", "exits.villageroster", str(year), "", None,
                  {"villages": len(villages), "year": year}, source), actor=actor)  # fmt: skip
    return len(villages)


def _village_code(paths: np.ndarray) -> np.ndarray:
    """The village segment of each materialised path (/province/prefecture/county/township/
    village/[group]/), over the whole column."""
    return pl.Series(paths.astype(str)).str.split("/").list.get(5).to_numpy().astype(object)


def _strata(status: np.ndarray) -> np.ndarray:
    s = status.astype(str)
    return np.where(s == "exited", sampling.EXITED, sampling.POOR)  # poor and returned


def county_frame(county: Region, year: int) -> tuple[sampling.Frame, np.ndarray]:
    """(frame, village code per frame row). Registered households plus roster positions."""
    qs = Household.objects.filter(region_path__startswith=county.path, status__in=REGISTERED)
    rows = list(qs.values_list("pk", "region_path", "status", "size"))
    if not rows:
        raise ValidationFailed(
            f"{county.name}没有在册户", f"{county.name} has no registered household"
        )
    pk, path, status, size = (np.array(c, dtype=object) for c in zip(*rows, strict=True))
    vcode = _village_code(path)
    rosters = dict(VillageRoster.objects.filter(village__path__startswith=county.path, year=year)
                   .values_list("village__code", "households"))  # fmt: skip
    codes, reg_counts = np.unique(vcode, return_counts=True)
    missing = sorted(set(codes) - set(rosters))
    if missing:
        raise ValidationFailed(
            f"缺少{year}年户籍户数的村：{', '.join(missing[:10])}（请先导入户籍户数）",
            f"no {year} household-register count for villages {', '.join(missing[:10])} "
            "(import the register's counts first)",
        )
    outside = np.maximum(np.array([rosters[c] for c in codes]) - reg_counts, 0)
    out_v = np.repeat(codes, outside)
    starts = np.repeat(np.cumsum(outside) - outside, outside)
    positions = np.arange(len(out_v)) - starts + 1
    poor_v = set(PovertyStatus.objects.filter(region__path__startswith=county.path,
                                              region__level="village", is_poor=True)
                 .values_list("region__code", flat=True))  # fmt: skip
    allv = np.concatenate([vcode, out_v]).astype(str)
    # Village strata: non-poor 0, poor 1, deep-poverty 2 (sampling.deep_villages).
    roster_n = np.array([rosters[c] for c in codes])
    deep = codes[sampling.deep_villages(np.isin(codes, list(poor_v)), reg_counts, roster_n)]
    vstratum = np.isin(allv, list(poor_v)).astype(np.int8) + np.isin(allv, deep).astype(np.int8)
    frame = sampling.Frame(
        county=np.full(len(allv), int(county.code[:6]), np.int64),
        village=allv.astype(np.int64),
        village_stratum=vstratum,
        stratum=np.concatenate([_strata(status), np.full(len(out_v), sampling.OUTSIDE)])
        .astype(np.int8),
        size=np.concatenate([size.astype(np.int64), np.zeros(len(out_v), np.int64)]),
        key=np.concatenate([pk.astype(np.int64), -positions]),
    )  # fmt: skip
    return frame, allv


@transaction.atomic
def draw_assessment(
    *, actor: Any, county: Region, year: int, seed: int, policy: str = "yunnan",
    design: sampling.Design | None = None,
) -> Assessment:  # fmt: skip
    authorise_assessor(actor, county.path)
    if county.level != "county":
        raise ValidationFailed("请选择一个县", "choose a county")
    frame, vcodes = county_frame(county, year)
    design = design or sampling.Design.default()
    s = sampling.draw(frame, design, seed=seed)
    a = Assessment.objects.create(
        county=county, region_path=county.path, year=year, policy=policy, seed=seed,
        design=design.as_dict() | {"refs": sampling.references()}, frame_digest=s.frame_digest,
        frame_households=len(frame), created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    regions = dict(Region.objects.filter(code__in=[str(c) for c in s.villages["village"]])
                   .values_list("code", "pk"))  # fmt: skip
    sv = SampledVillage.objects.bulk_create(
        SampledVillage(assessment=a, village_id=regions[str(c)], village_stratum=int(vs),
                       primary_stratum=int(ps), pi=float(pi), households=int(m), drawn=int(d))
        for c, vs, ps, pi, m, d in zip(s.villages["village"], s.villages["vstratum"],
                                       s.villages["stratum"], s.villages["pi"],
                                       s.villages["households"], s.villages["drawn"], strict=True)
    )  # fmt: skip
    keys = frame.key[s.rows]
    SampledHousehold.objects.bulk_create(
        SampledHousehold(
            assessment=a, code=f"S{i + 1:05d}", village_id=sv[p].pk,
            household_id=int(k) if k > 0 else None, roster_position=int(-k) if k < 0 else None,
            stratum=int(st), size=int(sz), weight=float(w), cell_size=int(n), cell_drawn=int(m),
        )
        for i, (k, p, st, sz, w, n, m) in enumerate(zip(
            keys, s.psu, frame.stratum[s.rows], frame.size[s.rows], s.weight, s.cell_size,
            s.cell_drawn, strict=True))
    )  # fmt: skip
    del vcodes
    record(Change("exits.draw", "exits.assessment", str(a.pk), county.path, None,
                  {"county": county.code, "year": year, "seed": seed, "villages": len(sv),
                   "households": len(keys), "frame": s.frame_digest[:16]},
                  "省级前置评估抽样 / assessment sample drawn"), actor=actor)  # fmt: skip
    return a


def _units(a: Assessment) -> tuple[estimation.Units, estimation.Responses, np.ndarray]:
    cols = ("village_id", "stratum", "size", "weight", "cell_size", "responded", "found_poor",
            "approves", "answers")  # fmt: skip
    rows = list(a.households.values_list(*cols))
    vill = list(a.villages.order_by("pk").values_list("pk", "primary_stratum", "pi"))
    v, st, size, w, n, resp, poor, appr, answers = (
        np.array(c, dtype=object) for c in zip(*rows, strict=True)
    )
    village_pks = np.array([pk for pk, _s, _p in vill], np.int64)  # ordered by pk
    psu = np.searchsorted(village_pks, v.astype(np.int64))
    _h, ps = np.unique(np.array([s for _pk, s, _p in vill], np.int64), return_inverse=True)
    stratum = st.astype(np.int64)
    u = estimation.Units(county=np.zeros(len(psu), np.int64), psu=psu, psu_stratum=ps,
                         cell=psu * 3 + stratum, stratum=stratum, size=size.astype(np.int64),
                         weight=w.astype(float), n_counties=1,
                         pi=np.array([p for *_x, p in vill], float),
                         cell_size=n.astype(np.int64))  # fmt: skip
    # The re-check's pairs, where the import had them (fieldwork.RECHECK).
    check = [(x or {}).get("check_poor", "") for x in answers]
    rechecked = np.array([c != "" for c in check], bool) & (resp == True)  # noqa: E712
    approving = ("satisfied", "basically")
    r = estimation.Responses(resp == True, (poor == True) & (resp == True),  # noqa: E712
                             (appr == True) & (resp == True),  # noqa: E712
                             rechecked=rechecked,
                             check_poor=np.array([c == "yes" for c in check], bool) & rechecked,
                             check_approves=np.array([(x or {}).get("check_approval")
                                                      in approving for x in answers], bool)
                             & rechecked)  # fmt: skip
    return u, r, np.array([len(vill)])


def _as_json(e: estimation.Estimate, v: verdict.Verdicts) -> dict[str, Any]:
    def f(x: np.ndarray) -> float | None:
        val = float(x[0])
        return None if not np.isfinite(val) else val

    return {"value": f(e.value), "se": f(e.se), "low": f(e.low), "high": f(e.high),
            "n": f(e.n), "n_eff": f(e.n_eff), "deff": f(e.deff), "df": f(e.df),
            "naive_low": f(e.naive_low), "naive_high": f(e.naive_high),
            "verdict": str(v.verdict[0]), "threshold": v.threshold, "direction": v.direction,
            "lower1": f(v.lower1), "upper1": f(v.upper1),
            "more_households": f(v.more_households), "more_villages": f(v.more_villages),
            "undecidable": bool(np.isinf(v.more_households[0]))}  # fmt: skip


@transaction.atomic
def estimate_assessment(*, actor: Any, assessment_id: int) -> Assessment:
    a = Assessment.objects.select_for_update().select_related("county").get(pk=assessment_id)
    authorise_assessor(actor, a.region_path)
    if not a.households.filter(responded__isnull=False).exists():
        raise ValidationFailed("尚未导入调查结果", "no survey answers have been imported yet")
    u, r, n_v = _units(a)
    conf = float(a.design.get("confidence", 0.95))
    est = estimation.estimate(u, r, confidence=conf)
    limits = verdict.thresholds(a.policy, a.year)
    vs = {k: verdict.judge(e, limits[k][0], limits[k][1], confidence=conf, villages=n_v)
          for k, e in est.items()}  # fmt: skip
    a.estimates = {k: _as_json(est[k], vs[k]) | {"ref": limits[k][2]} for k in est}
    a.verdict = str(verdict.overall(vs)[0])
    a.state = AssessmentState.ESTIMATED
    a.evaluation_run_id = _evaluate_county(a, actor=actor).pk
    a.save()
    record(Change("exits.estimate", "exits.assessment", str(a.pk), a.region_path, None,
                  {"verdict": a.verdict, "run": a.evaluation_run_id} |
                  {k: v["value"] for k, v in a.estimates.items()},
                  "三率一度估计 / 三率一度 estimated"), actor=actor)  # fmt: skip
    return a


def _evaluate_county(a: Assessment, *, actor: Any) -> Any:
    """The ruler over the county, its county input the assessment's rates (point estimates)."""
    inputs = snapshot.from_db(years=(a.year - 1, a.year), region_path=a.region_path)
    e = a.estimates
    inputs["counties"] = pa.table({
        "county_code": [a.county.code[:6]],
        "wrong_exit_rate": [e["wrong_exit_rate"]["value"]],
        "missed_rate": [e["missed_rate"]["value"]],
        "approval_rate": [e["approval_rate"]["value"]],
        "comprehensive_incidence": [e["incidence"]["value"]],
    })  # fmt: skip
    res = evaluate(exit_policy.load(a.policy), a.year, inputs)
    run = store(res, inputs["households"], actor=actor)
    # The county row keeps the rates it was judged on (the procedure's gate reads the run).
    rates = {k: v[0] for k, v in inputs["counties"].to_pydict().items() if k != "county_code"}
    run.counties = [r | rates for r in run.counties]
    run.save(update_fields=["counties"])
    return run


def region_exited(case: Any, *, actor: Any, today: datetime.date) -> None:
    """A village's or county's exit, completed: not poor from the case's year on."""
    region = case.village
    row = PovertyStatus.objects.filter(region=region, year=case.year).first()
    before = {"is_poor": row.is_poor} if row is not None else None
    PovertyStatus.objects.update_or_create(
        region=region, year=case.year, defaults={"is_poor": False, "exited_year": case.year}
    )
    record(Change("region.exit", "regions.region", region.code, region.path, before,
                  {"is_poor": False, "exited_year": case.year, "case": case.pk},
                  f"{case.kind}程序办结 / {case.kind} completed"), actor=actor)  # fmt: skip
