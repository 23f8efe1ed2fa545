"""A verdict per indicator and county: passes at the design's confidence, fails, or inconclusive
— and for an inconclusive one, how many more villages and households would decide it.

The thresholds are the ruler's parameters of the policy and year (``county_incidence_max``,
``wrong_exit_rate_max``, ``missed_rate_max``, ``approval_rate_min``), never literals here.
An upper-bounded rate passes when its one-sided upper bound (Korn-Graubard) is below the maximum
and fails when its one-sided lower bound is at or above it; approval mirrors that. Otherwise the
county's sample cannot tell: keeping the estimate and the design effect, the effective size at
which the bound would cross the threshold is found by bisection (vectorised, on log n), and the
sample is scaled to it at the same households per village. An estimate exactly at the threshold
can never be decided (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lantu.exits.estimation import Estimate, cp_bounds
from lantu.standards import policy as ruler_policy

PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"
# indicator → (ruler parameter, direction): "max" must stay below, "min" must exceed.
THRESHOLDS = {
    "incidence": ("county_incidence_max", "max"),
    "wrong_exit_rate": ("wrong_exit_rate_max", "max"),
    "missed_rate": ("missed_rate_max", "max"),
    "approval_rate": ("approval_rate_min", "min"),
}


@dataclass
class Verdicts:
    verdict: np.ndarray  # str per county
    threshold: float
    direction: str
    lower1: np.ndarray  # one-sided bounds at the confidence
    upper1: np.ndarray
    more_households: np.ndarray  # float; nan = decided; inf = cannot be decided
    more_villages: np.ndarray


def thresholds(policy: str, year: int) -> dict[str, tuple[float, str, str]]:
    """indicator → (value, direction, reference) from the ruler."""
    p = ruler_policy.load(policy)
    out = {}
    for name, (param, direction) in THRESHOLDS.items():
        v = p.parameters[param].at(year)
        if v is None:
            raise ValueError(f"{param} has no value in {year}")
        out[name] = (float(v.value), direction, v.ref)
    return out


def _bounds(r: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    return cp_bounds(r * n, n, alpha, alpha)


def _needed(r: np.ndarray, t: float, direction: str, alpha: float) -> np.ndarray:
    """The effective size at which the one-sided bound on the far side of ``t`` from r crosses
    it (inf when r == t)."""
    lo, hi = np.zeros(len(r)), np.full(len(r), np.log(1e7))
    for _ in range(40):
        mid = (lo + hi) / 2
        low, high = _bounds(r, np.exp(mid), alpha)
        if direction == "max":
            decided = np.where(r < t, high < t, low >= t)
        else:
            decided = np.where(r > t, low > t, high <= t)
        hi, lo = np.where(decided, mid, hi), np.where(decided, lo, mid)
    return np.where(r == t, np.inf, np.exp(hi))


def judge(e: Estimate, threshold: float, direction: str, *, confidence: float,
          villages: np.ndarray) -> Verdicts:  # fmt: skip
    alpha = 1 - confidence
    lower1, upper1 = _bounds(e.value, e.n_eff, alpha)
    if direction == "max":
        verdict = np.where(upper1 < threshold, PASS, np.where(lower1 >= threshold, FAIL, ""))
    else:
        verdict = np.where(lower1 > threshold, PASS, np.where(upper1 <= threshold, FAIL, ""))
    undecided = verdict == ""
    verdict = np.where(undecided | (e.n <= 0), INCONCLUSIVE, verdict)
    need = _needed(e.value, threshold, direction, alpha)
    factor = np.divide(need, e.n_eff, out=np.full(len(need), np.inf), where=e.n_eff > 0)
    with np.errstate(invalid="ignore"):
        more_h = np.where(undecided & (e.n > 0), np.maximum(np.ceil(e.n * factor) - e.n, 1), np.nan)
        more_v = np.where(undecided & (e.n > 0), np.maximum(np.ceil(villages * factor) - villages,
                                                            0), np.nan)  # fmt: skip
    return Verdicts(verdict, threshold, direction, lower1, upper1, more_h, more_v)


def overall(per_indicator: dict[str, Verdicts]) -> np.ndarray:
    """Fails if any indicator fails; passes if all pass; else inconclusive."""
    v = np.stack([x.verdict for x in per_indicator.values()])
    return np.where(
        (v == FAIL).any(axis=0), FAIL, np.where((v == PASS).all(axis=0), PASS, INCONCLUSIVE)
    )
