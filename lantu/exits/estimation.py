"""三率一度 from a sample, with design-based intervals, for many counties at once.

Each indicator is a ratio R = Σ w·y / Σ w·x over the responding households of a county:

| indicator | y (per household) | x |
|---|---|---|
| 错退率 wrong_exit_rate | size if exited and found poor | size if exited |
| 漏评率 missed_rate | size if outside the registry and found poor | size if outside |
| 综合贫困发生率 incidence | size if registered poor, or found poor (exited, outside) | size |
| 认可度 approval_rate | 1 if the household approves | 1 |

Non-response: within each village × household stratum the responders' weights are raised by
drawn / responded (a cell with no responder drops out; its count is reported).

Variance: Taylor linearisation of the ratio, z = w (y − R x) / X, summed per village (the
ultimate cluster), with-replacement between villages within each primary stratum (county ×
village stratum): v_h = n_h/(n_h−1) Σ_j (z_hj − z̄_h)². Villages are drawn without replacement
and households too (often more than half of a village's stratum), so when the inclusion
probabilities are known the two-stage form is used: v = Σ_h (1 − f_h) v_h + Σ_j π_j W_j, with f_h
the mean π of the stratum's drawn villages and W_j = Σ over the village's cells of
m (1 − m/N) s²(z) (the second stage). The design's degrees of freedom are villages − strata;
a stratum with a single village adds no between-village term.

Interval: Korn & Graubard (1998) — Clopper-Pearson on the effective sample size
n_eff = R(1−R)/v (≤ n, = n when v = 0, so a rate of 0 still gets an honest upper bound),
scaled by (t_{n−1}/t_df)²; beta quantiles from scipy, vectorised. Beside it, the naive interval
a simple random sample of the same n would give (Clopper-Pearson on n), which ignores weights'
spread, strata and clusters.

Every per-county sum is a ``bincount``; no loop runs over counties or households.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

INDICATORS = ("wrong_exit_rate", "missed_rate", "incidence", "approval_rate")


@dataclass
class Responses:
    """What the survey found, aligned with the sample's households."""

    responded: np.ndarray  # bool
    found_poor: np.ndarray  # bool: income below the line or 两不愁三保障/water failing
    approves: np.ndarray  # bool: 认可


@dataclass
class Units:
    """The sampled households as the estimator needs them."""

    county: np.ndarray  # int index 0..C-1
    psu: np.ndarray  # int index of the village, 0..V-1
    psu_stratum: np.ndarray  # int index of each village's primary stratum, 0..H-1 (per village)
    cell: np.ndarray  # int id of village × household stratum
    stratum: np.ndarray  # EXITED / POOR / OUTSIDE
    size: np.ndarray
    weight: np.ndarray
    n_counties: int
    pi: np.ndarray | None = None  # per village: its inclusion probability (for the fpc)
    cell_size: np.ndarray | None = None  # per household: N of its village × stratum cell


@dataclass
class Estimate:
    """Arrays over counties (one per indicator)."""

    value: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: np.ndarray  # responding households in the denominator
    n_eff: np.ndarray  # Korn-Graubard effective size (df-adjusted)
    deff: np.ndarray
    df: np.ndarray
    naive_low: np.ndarray
    naive_high: np.ndarray


def adjusted_weights(u: Units, responded: np.ndarray) -> np.ndarray:
    """Raise responders' weights within their cell by drawn / responded."""
    cells, inv = np.unique(u.cell, return_inverse=True)
    drawn = np.bincount(inv, minlength=len(cells))
    resp = np.bincount(inv, weights=responded, minlength=len(cells))
    factor = np.divide(drawn, resp, out=np.zeros(len(cells)), where=resp > 0)
    return np.where(responded, u.weight * factor[inv], 0.0)


Arr = np.ndarray


def _ratio_variance(u: Units, w: Arr, y: Arr, x: Arr) -> tuple[Arr, Arr, Arr]:
    c = u.n_counties
    ysum = np.bincount(u.county, weights=w * y, minlength=c)
    xsum = np.bincount(u.county, weights=w * x, minlength=c)
    r = np.divide(ysum, xsum, out=np.zeros(c), where=xsum > 0)
    xs = np.where(xsum > 0, xsum, 1.0)
    z = w * (y - r[u.county] * x) / xs[u.county]
    n_psu = int(u.psu_stratum.shape[0])
    zp = np.bincount(u.psu, weights=z, minlength=n_psu)
    h = u.psu_stratum
    n_h = np.bincount(h)
    zbar = np.bincount(h, weights=zp) / np.maximum(n_h, 1)
    dev2 = (zp - zbar[h]) ** 2
    scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0)
    var_h = np.bincount(h, weights=dev2) * scale
    county_of_psu = np.zeros(n_psu, np.int64)
    county_of_psu[u.psu] = u.county
    county_of_h = np.zeros(len(n_h), np.int64)
    county_of_h[h] = county_of_psu
    if u.pi is not None:
        f_h = np.bincount(h, weights=u.pi) / np.maximum(n_h, 1)
        var_h = var_h * (1 - np.minimum(f_h, 1)) + np.bincount(h, weights=u.pi * _within(u, z, w))
    var = np.bincount(county_of_h, weights=var_h, minlength=c)
    df = np.bincount(county_of_psu, minlength=c) - np.bincount(county_of_h[n_h > 0], minlength=c)
    return r, var, df


def _within(u: Units, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per village: Σ over its cells of m (1 − m/N) s²(z) among responders — the second stage's
    share of the variance, which the first stage's finite-population correction leaves out."""
    resp = w > 0
    cells, inv = np.unique(u.cell, return_inverse=True)
    m = np.bincount(inv, weights=resp, minlength=len(cells))
    s1 = np.bincount(inv, weights=z * resp, minlength=len(cells))
    s2 = np.bincount(inv, weights=z * z * resp, minlength=len(cells))
    ss = np.maximum(s2 - np.divide(s1 * s1, m, out=np.zeros(len(m)), where=m > 0), 0)
    s_var = np.divide(ss, m - 1, out=np.zeros(len(m)), where=m > 1)
    n_cell = np.zeros(len(cells))
    if u.cell_size is not None:
        n_cell[inv] = u.cell_size
    term = m * (1 - np.divide(m, n_cell, out=np.ones(len(m)), where=n_cell > 0)) * s_var
    psu_of_cell = np.zeros(len(cells), np.int64)
    psu_of_cell[inv] = u.psu
    return np.bincount(psu_of_cell, weights=term, minlength=len(u.psu_stratum))


def cp_bounds(x: np.ndarray, n: np.ndarray, alpha_low: float, alpha_high: float) -> tuple[
    np.ndarray, np.ndarray]:  # fmt: skip
    """Clopper-Pearson bounds for (possibly non-integer) successes x of n: the lower at
    ``alpha_low``, the upper at 1 − ``alpha_high``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, stats.beta.ppf(alpha_low, x, n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - alpha_high, x + 1, n - x), 1.0)
    return np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)


def korn_graubard_size(r: np.ndarray, var: np.ndarray, n: np.ndarray, df: np.ndarray,
                       confidence: float) -> np.ndarray:  # fmt: skip
    pq = r * (1 - r)
    n_eff = np.where((var > 0) & (pq > 0), pq / np.where(var > 0, var, 1), n)
    n_eff = np.minimum(n_eff, n)
    q = 1 - (1 - confidence) / 2
    t_n = stats.t.ppf(q, np.maximum(n - 1, 1))
    t_df = stats.t.ppf(q, np.maximum(df, 1))
    return np.where(n > 0, n_eff * (t_n / t_df) ** 2, 0.0)


def indicator_terms(u: Units, resp: Responses) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from lantu.exits.sampling import EXITED, OUTSIDE, POOR

    size = u.size.astype(np.float64)
    exited, outside = u.stratum == EXITED, u.stratum == OUTSIDE
    found = resp.found_poor
    return {
        "wrong_exit_rate": (size * (exited & found), size * exited),
        "missed_rate": (size * (outside & found), size * outside),
        "incidence": (size * ((u.stratum == POOR) | found), size),
        "approval_rate": (resp.approves.astype(np.float64), np.ones(len(size))),
    }


def estimate(u: Units, resp: Responses, *, confidence: float = 0.95) -> dict[str, Estimate]:
    """Every indicator for every county (arrays over counties)."""
    w = adjusted_weights(u, resp.responded)
    alpha = (1 - confidence) / 2
    out = {}
    for name, (y, x) in indicator_terms(u, resp).items():
        r, var, df = _ratio_variance(u, w, y, x)
        n = np.bincount(u.county, weights=(x > 0) & resp.responded, minlength=u.n_counties)
        n_star = korn_graubard_size(r, var, n, df, confidence)
        low, high = cp_bounds(r * n_star, n_star, alpha, alpha)
        n_low, n_high = cp_bounds(r * n, n, alpha, alpha)
        srs = np.divide(r * (1 - r), n, out=np.zeros(len(n)), where=n > 0)
        out[name] = Estimate(
            value=r, se=np.sqrt(var), low=low, high=high, n=n, n_eff=n_star,
            deff=np.divide(var, srs, out=np.ones(len(n)), where=srs > 0), df=df,
            naive_low=n_low, naive_high=n_high,
        )  # fmt: skip
    return out
