"""The assessment survey answered from the truth (for the coverage study and the demo only:
the application never reads ``truth/``).

``approval_of(...)`` draws each household's view (认可 or not) once for the whole province, from
how the registry treated it (``survey.yaml``: correct, wrongly exited, missed), so the true
approval rate of a county is a fixed number the estimates can be scored against.
``answer(...)`` is one visit to the sampled households: refusals, then what the interview finds
(the truth's ``true_poor`` with the respondent's and enumerator's errors) and the approval
answer (with its own error). ``errors=False`` answers exactly from the truth (refusals kept), to
measure the design's coverage alone. A share of the responders is re-checked (复核): the check
team's finding is taken as the truth (an assumption: no published error rate of re-check teams),
so the estimator can measure the first visit's misclassification and correct it.
All arrays, no loop over households.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from lantu.simulator.params import Params


@cache
def params() -> Params:
    text = resources.files("lantu.simulator").joinpath("survey.yaml").read_text("utf-8")
    return Params(yaml.safe_load(text))


@dataclass
class Answers:
    responded: np.ndarray
    found_poor: np.ndarray
    approves: np.ndarray
    rechecked: np.ndarray  # the re-check sub-sample (复核) among responders
    check_poor: np.ndarray  # the check team's finding (the truth: ``recheck.error`` is 0)
    check_approves: np.ndarray


def approval_of(true_poor: np.ndarray, exited: np.ndarray, outside: np.ndarray,
                *, seed: int, p: Params | None = None) -> np.ndarray:  # fmt: skip
    """Each household's own view, drawn once (bool per household)."""
    p = p or params()
    prob = np.full(len(true_poor), p.f("approval.correct"))
    prob = np.where(exited & true_poor, p.f("approval.wrongly_exited"), prob)
    prob = np.where(outside & true_poor, p.f("approval.missed"), prob)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1501]))
    return rng.random(len(prob)) < prob


def answer(true_poor: np.ndarray, approves: np.ndarray, *, seed: int, errors: bool = True,
           p: Params | None = None) -> Answers:  # fmt: skip
    """One visit to each sampled household (arrays aligned with the sample)."""
    p = p or params()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1502]))
    n = len(true_poor)
    u = rng.random((5, n))
    responded = u[0] >= p.f("respondent.refusal")
    rechecked = responded & (u[4] < p.f("recheck.share"))
    found, said = true_poor.copy(), approves.copy()
    if errors:
        miss = true_poor & (u[1] < p.f("respondent.poor_missed"))
        extra = ~true_poor & (u[2] < p.f("respondent.nonpoor_found_poor"))
        found = (true_poor & ~miss) | extra
        said = approves ^ (u[3] < p.f("respondent.approval_flip"))
    return Answers(responded=responded, found_poor=found & responded, approves=said & responded,
                   rechecked=rechecked, check_poor=true_poor & rechecked,
                   check_approves=approves & rechecked)  # fmt: skip


def field_export(sim: Path, year: int, samples: list[dict[str, object]], *, seed: int,
                 errors: bool = True) -> bytes:  # fmt: skip
    """A KoboToolbox-like CSV export of the survey of ``samples`` (dicts with ``code``,
    ``stratum`` (0 exited, 1 poor, 2 outside), ``village`` code, ``household_no`` or
    ``roster_position``), answered from the truth of ``year``: a registered household is found
    through the truth's registry links; the k-th household outside the registry on a village's
    roster is the k-th such household of the village in the truth (by household id)."""
    import io

    import polars as pl

    hy = pl.read_parquet(sim / "truth" / "household_years" / f"{year}.parquet",
                         columns=["household_id", "village_code", "size", "true_poor",
                                  "registry_status", "pc"]).filter(pl.col("size") > 0)  # fmt: skip
    links = pl.read_parquet(sim / "truth" / "links" / "registry_households.parquet")
    status = hy["registry_status"].cast(pl.String)
    outside = ~status.is_in(["exited", "poor", "returned"])
    hy = hy.with_columns(outside=outside.to_numpy(), exited=(status == "exited").to_numpy())
    hy = hy.with_columns(approves=approval_of(hy["true_poor"].to_numpy(), hy["exited"].to_numpy(),
                                              hy["outside"].to_numpy(), seed=seed))  # fmt: skip
    position = pl.int_range(1, pl.len() + 1).over("village_code")
    roster = (
        hy.filter(pl.col("outside")).sort("household_id").with_columns(roster_position=position)
    )
    schema = {"code": pl.String, "stratum": pl.Int8, "village": pl.String,
              "household_no": pl.String, "roster_position": pl.Int64}  # fmt: skip
    s = pl.DataFrame(samples, schema=schema)
    by_no = s.join(links, on="household_no", how="inner").join(hy, on="household_id")
    by_roster = s.join(roster.rename({"village_code": "village"}),
                       on=["village", "roster_position"], how="inner")  # fmt: skip
    cols = ["code", "stratum", "size", "true_poor", "approves", "pc"]
    rows = pl.concat([by_no.select(cols), by_roster.select(cols)]).sort("code")
    a = answer(rows["true_poor"].to_numpy(), rows["approves"].to_numpy(), seed=seed,
               errors=errors)  # fmt: skip
    verify = {0: "wrong_exit", 1: "still_poor", 2: "missed"}
    yes = lambda b: ["yes" if x else "no" for x in b]  # noqa: E731
    out = pl.DataFrame({
        "group/sample_code": rows["code"],
        "group/stratum": [("exited", "poor", "outside")[x] for x in rows["stratum"]],
        "group/visit": ["interviewed" if r else "refused" for r in a.responded],
        "size": rows["size"].cast(pl.Int64), "income_pc": rows["pc"].round(0),
        **{g: yes(~a.found_poor | ~a.responded) for g in
           ("food_ok", "clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok")},
        **{v: [yes([f])[0] if st == k else "" for f, st in zip(a.found_poor, rows["stratum"],
                                                               strict=True)]
           for k, v in verify.items()},
        "approval": ["satisfied" if x else "not" for x in a.approves],
    })  # fmt: skip
    buf = io.BytesIO()
    out.write_csv(buf)
    return buf.getvalue()
