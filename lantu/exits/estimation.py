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
ultimate cluster) within each primary stratum (county × village stratum). Villages are drawn
without replacement with unequal π and households too (often more than half of a village's
stratum), so when the inclusion probabilities are known the two-stage form is used:
v = Σ_h n_h/(n_h−1) Σ_j (1 − π_j)(z_hj − z̃_h)² + Σ_j π_j W_j — Hájek's (1964) approximation for
the first stage (z̃_h the (1 − π)-weighted mean), W_j = Σ over the village's cells of
m (1 − m/N) s²(z) for the second. A village taken with certainty is a stratum of its own (only
its second stage counts). The design's degrees of freedom are villages − strata.

Interval: Korn & Graubard (1998) — Clopper-Pearson on the effective sample size
n_eff = R(1−R)/v (= n when v = 0, so a rate of 0 still gets an honest upper bound; not
capped at n, as R's survey::svyciprop(method="beta"), but at the households represented),
scaled by (t_{n−1}/t_df)²; beta quantiles from scipy, vectorised. Beside it, the naive interval
a simple random sample of the same n would give (Clopper-Pearson on n), which ignores weights'
spread, strata and clusters.

Every per-county sum is a ``bincount``; no loop runs over counties or households.

``estimate`` gives the four indicators. Another ratio over a sample drawn by ``lantu.exits.
sampling`` (the supervision room's 账实相符 field check: the share of visited households whose
record does not match) uses the same public steps: ``adjusted_weights`` for non-response,
``ratio_variance`` for R, its variance and degrees of freedom, then ``korn_graubard_size`` and
``cp_bounds`` for the interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

INDICATORS = ("wrong_exit_rate", "missed_rate", "incidence", "approval_rate")
Arr = np.ndarray


@dataclass
class Responses:
    """What the survey found, aligned with the sample's households."""

    responded: np.ndarray  # bool
    found_poor: np.ndarray  # bool: income below the line or 两不愁三保障/water failing
    approves: np.ndarray  # bool: 认可
    # The re-check (复核): a sub-sample of responders visited again by a check team whose
    # finding is taken as right. When given, the answers' misclassification is estimated from
    # the pairs and corrected (see ``Misclassification``).
    rechecked: np.ndarray | None = None  # bool
    check_poor: np.ndarray | None = None  # bool (meaningful where rechecked)
    check_approves: np.ndarray | None = None


@dataclass
class Misclassification:
    """How often the first visit's answer agrees with the re-check, per county (an assessment is
    one county; its check team re-visits its own sample): sensitivity P(answer 1 | check 1) and
    specificity P(answer 0 | check 0), with the counts they rest on. A first answer f is replaced
    by the unbiased score (f − (1 − sp)) / (se + sp − 1) (Rogan & Gladen 1978), a re-checked
    household by its check; the uncertainty of (se, sp) is added to the variance by the delta
    method, with (x + ½) / (n + 1) (Jeffreys) in the binomial variance so that a perfect
    agreement on few pairs still counts as uncertain."""

    se: np.ndarray  # per county
    sp: np.ndarray
    n1: np.ndarray  # re-checked households the check found 1
    n0: np.ndarray

    @classmethod
    def from_pairs(cls, county: Arr, n_counties: int, first: Arr, check: Arr) -> Misclassification:
        def count(mask: Arr) -> Arr:
            return np.bincount(county, weights=mask, minlength=n_counties)

        n1, n0 = count(check), count(~check)
        se = np.divide(count(first & check), n1, out=np.ones(n_counties), where=n1 > 0)
        sp = np.divide(count(~first & ~check), n0, out=np.ones(n_counties), where=n0 > 0)
        return cls(se, sp, n1, n0)

    @property
    def j(self) -> np.ndarray:
        return np.maximum(self.se + self.sp - 1, 1e-3)

    @staticmethod
    def _var(p: Arr, n: Arr) -> Arr:
        pt = (p * n + 0.5) / (n + 1)
        return pt * (1 - pt) / (n + 1)

    def var_se(self) -> np.ndarray:
        return self._var(self.se, self.n1)

    def var_sp(self) -> np.ndarray:
        return self._var(self.sp, self.n0)

    def score(self, county: Arr, first: Arr, rechecked: Arr, check: Arr) -> np.ndarray:
        corrected = (first.astype(np.float64) - (1 - self.sp[county])) / self.j[county]
        return np.where(rechecked, check.astype(np.float64), corrected)


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


def cells(u: Units) -> tuple[np.ndarray, np.ndarray]:
    """The village × household-stratum cells of the sample: (the distinct cell ids, each
    household's index among them). Computed once and passed to ``adjusted_weights`` and
    ``ratio_variance`` when several ratios are estimated on one sample."""
    return np.unique(u.cell, return_inverse=True)


def adjusted_weights(u: Units, responded: Arr,
                     cell_index: tuple[Arr, Arr] | None = None) -> Arr:  # fmt: skip
    """The weights after non-response: within each village × household-stratum cell
    (``cell_index`` from ``cells``, computed when not given), responders' weights are raised by
    drawn / responded; a household that did not respond gets 0, and so does a whole cell with no
    responder."""
    ids, inv = cell_index or cells(u)
    drawn = np.bincount(inv, minlength=len(ids))
    resp = np.bincount(inv, weights=responded, minlength=len(ids))
    factor = np.divide(drawn, resp, out=np.zeros(len(ids)), where=resp > 0)
    return np.where(responded, u.weight * factor[inv], 0.0)


def first_stage_strata(u: Units) -> np.ndarray:
    """Per village: its variance stratum. A village taken with certainty (π = 1) is a stratum of
    its own: it is not a draw among villages, so it adds no between-village term (only its
    households' second-stage term) and no degree of freedom."""
    h = u.psu_stratum
    if u.pi is None:
        return h
    certain = u.pi >= 1
    own = np.where(certain, int(h.max(initial=-1)) + 1 + np.arange(len(h)), h)
    return np.unique(own, return_inverse=True)[1]


def ratio_variance(u: Units, w: Arr, y: Arr, x: Arr, strata: Arr | None = None,
                   cell_index: tuple[Arr, Arr] | None = None) -> tuple[Arr, Arr, Arr]:  # fmt: skip
    """Per county: the ratio R = Σ w·y / Σ w·x, its design-based variance and the design's
    degrees of freedom, as arrays over ``u.n_counties``.

    ``w`` are the households' weights after non-response (``adjusted_weights``: 0 for a
    household that did not respond), ``y`` and ``x`` the numerator and denominator per household
    (any survey ratio: a 三率一度 indicator, the field check's mismatch rate). The variance is
    the Taylor linearisation described in the module docstring: between villages within each
    first-stage stratum (Hájek's approximation where the villages' π are known), plus the second
    stage within each village × household-stratum cell where they are. ``strata`` (per village,
    from ``first_stage_strata``) and ``cell_index`` (from ``cells``) are computed when not given;
    pass them when several ratios share one sample. A county with Σ w·x = 0 gets R = 0."""
    h = first_stage_strata(u) if strata is None else strata
    cell_index = cell_index or cells(u)
    c = u.n_counties
    ysum = np.bincount(u.county, weights=w * y, minlength=c)
    xsum = np.bincount(u.county, weights=w * x, minlength=c)
    r = np.divide(ysum, xsum, out=np.zeros(c), where=xsum > 0)
    xs = np.where(xsum > 0, xsum, 1.0)
    z = w * (y - r[u.county] * x) / xs[u.county]
    n_psu = int(h.shape[0])
    zp = np.bincount(u.psu, weights=z, minlength=n_psu)
    n_h = np.bincount(h)
    scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0)
    # Hájek's approximation for πps without replacement: each village's deviation weighted by
    # its own 1 − π (the mean fpc understated the variance where π varies), around the
    # (1 − π)-weighted mean; with no π known, with replacement (a = 1).
    a = 1 - np.minimum(u.pi, 1) if u.pi is not None else np.ones(n_psu)
    a_h = np.bincount(h, weights=a, minlength=len(n_h))
    zbar = np.divide(np.bincount(h, weights=a * zp, minlength=len(n_h)), a_h,
                     out=np.zeros(len(n_h)), where=a_h > 0)  # fmt: skip
    var_h = np.bincount(h, weights=a * (zp - zbar[h]) ** 2, minlength=len(n_h)) * scale
    county_of_psu = np.zeros(n_psu, np.int64)
    county_of_psu[u.psu] = u.county
    county_of_h = np.zeros(len(n_h), np.int64)
    county_of_h[h] = county_of_psu
    if u.pi is not None:
        var_h = var_h + np.bincount(
            h, weights=u.pi * _within(u, z, w, cell_index), minlength=len(n_h)
        )
    var = np.bincount(county_of_h, weights=var_h, minlength=c)
    df = np.bincount(county_of_psu, minlength=c) - np.bincount(county_of_h[n_h > 0], minlength=c)
    return r, var, df


def _within(u: Units, z: np.ndarray, w: np.ndarray, cell_index: tuple[Arr, Arr]) -> np.ndarray:
    """Per village: Σ over its cells of m (1 − m/N) s²(z) among responders — the second stage's
    share of the variance, which the first stage's finite-population correction leaves out."""
    resp = w > 0
    ids, inv = cell_index
    m = np.bincount(inv, weights=resp, minlength=len(ids))
    s1 = np.bincount(inv, weights=z * resp, minlength=len(ids))
    s2 = np.bincount(inv, weights=z * z * resp, minlength=len(ids))
    ss = np.maximum(s2 - np.divide(s1 * s1, m, out=np.zeros(len(m)), where=m > 0), 0)
    s_var = np.divide(ss, m - 1, out=np.zeros(len(m)), where=m > 1)
    n_cell = np.zeros(len(ids))
    if u.cell_size is not None:
        n_cell[inv] = u.cell_size
    term = m * (1 - np.divide(m, n_cell, out=np.ones(len(m)), where=n_cell > 0)) * s_var
    psu_of_cell = np.zeros(len(ids), np.int64)
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


def korn_graubard_size(r: Arr, var: Arr, n: Arr, df: Arr, confidence: float,
                       population: Arr | None = None) -> Arr:  # fmt: skip
    """The effective size R(1−R)/v, df-adjusted. It is not capped at n (a design effect below 1
    is real: stratification and large sampling fractions); it is capped at the ``population``
    the sample stands for (a census knows the rate exactly, whatever rounding leaves in v)."""
    pq = r * (1 - r)
    n_eff = np.where((var > 0) & (pq > 0), pq / np.where(var > 0, var, 1), n)
    if population is not None:
        n_eff = np.minimum(n_eff, np.maximum(population, n))
    q = 1 - (1 - confidence) / 2
    t_n = stats.t.ppf(q, np.maximum(n - 1, 1))
    t_df = stats.t.ppf(q, np.maximum(df, 1))
    return np.where(n > 0, n_eff * (t_n / t_df) ** 2, 0.0)


def indicator_parts(u: Units) -> dict[str, tuple[Arr, Arr, Arr]]:
    """indicator → (base, g, x): y = base + g · answer, the answer being found poor (or, for
    approval, approves): 0/1, or a corrected score."""
    from lantu.exits.sampling import EXITED, OUTSIDE, POOR

    size = u.size.astype(np.float64)
    exited, outside, poor = u.stratum == EXITED, u.stratum == OUTSIDE, u.stratum == POOR
    zero, one = np.zeros(len(size)), np.ones(len(size))
    return {
        "wrong_exit_rate": (zero, size * exited, size * exited),
        "missed_rate": (zero, size * outside, size * outside),
        "incidence": (size * poor, size * ~poor, size),
        "approval_rate": (zero, one, one),
    }


def indicator_terms(u: Units, resp: Responses) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """indicator → (y, x) per household, from the answers as given."""
    out = {}
    for name, (base, g, x) in indicator_parts(u).items():
        a = resp.approves if name == "approval_rate" else resp.found_poor
        out[name] = (base + g * a, x)
    return out


def misclassification(u: Units, resp: Responses) -> dict[str, Misclassification] | None:
    """(found poor, approves) → their misclassification from the re-check pairs, or None."""
    if resp.rechecked is None or resp.check_poor is None or resp.check_approves is None:
        return None
    k = resp.rechecked & resp.responded
    if not k.any():
        return None
    c, n = u.county[k], u.n_counties
    pairs = Misclassification.from_pairs
    return {"found": pairs(c, n, resp.found_poor[k], resp.check_poor[k]),
            "approves": pairs(c, n, resp.approves[k], resp.check_approves[k])}  # fmt: skip


def estimate(u: Units, resp: Responses, *, confidence: float = 0.95,
             correct: bool = True) -> dict[str, Estimate]:  # fmt: skip
    """Every indicator for every county (arrays over counties). With re-check pairs in
    ``resp`` (and ``correct``), the answers are corrected for misclassification and the
    interval carries the uncertainty of the correction."""
    cell_index = cells(u)
    h = first_stage_strata(u)
    w = adjusted_weights(u, resp.responded, cell_index)
    alpha = (1 - confidence) / 2
    mis = misclassification(u, resp) if correct else None
    out = {}
    for name, (base, g, x) in indicator_parts(u).items():
        key = "approves" if name == "approval_rate" else "found"
        first = resp.approves if key == "approves" else resp.found_poor
        if mis is None:
            y = base + g * first
        else:
            check = resp.check_approves if key == "approves" else resp.check_poor
            assert resp.rechecked is not None and check is not None
            k = resp.rechecked & resp.responded
            y = base + g * mis[key].score(u.county, first, k, check)
        r, var, df = ratio_variance(u, w, y, x, h, cell_index)
        if mis is not None:
            # Delta method over the households scored from their first answer (not re-checked):
            # ∂R/∂se = −Q/J, ∂R/∂sp = (B − Q)/J, Q and B their shares of Σ w·y and Σ w·x.
            m, first_only = mis[key], ~(resp.rechecked & resp.responded)
            xs = np.bincount(u.county, weights=w * x, minlength=u.n_counties)
            xs = np.where(xs > 0, xs, 1.0)
            gsum = np.bincount(u.county, weights=w * g * first_only, minlength=u.n_counties)
            ysum = np.bincount(u.county, weights=w * (y - base) * first_only,
                               minlength=u.n_counties)  # fmt: skip
            b_nr, q_nr = gsum / xs, ysum / xs
            var = var + (q_nr / m.j) ** 2 * m.var_se() + ((b_nr - q_nr) / m.j) ** 2 * m.var_sp()
            r = np.clip(r, 0.0, 1.0)
        n = np.bincount(u.county, weights=(x > 0) & resp.responded, minlength=u.n_counties)
        big_n = np.bincount(u.county, weights=w * (x > 0), minlength=u.n_counties)
        n_star = korn_graubard_size(r, var, n, df, confidence, big_n)
        low, high = cp_bounds(r * n_star, n_star, alpha, alpha)
        n_low, n_high = cp_bounds(r * n, n, alpha, alpha)
        srs = np.divide(r * (1 - r), n, out=np.zeros(len(n)), where=n > 0)
        out[name] = Estimate(
            value=r, se=np.sqrt(var), low=low, high=high, n=n, n_eff=n_star,
            deff=np.divide(var, srs, out=np.ones(len(n)), where=srs > 0), df=df,
            naive_low=n_low, naive_high=n_high,
        )  # fmt: skip
    return out


def stack(parts: list[Units]) -> Units:
    """Several samples as one: county k of part j becomes county (counties before j) + k, and
    likewise villages, strata and cells, so that one ``estimate`` call serves many draws."""
    off_c = off_v = off_h = off_cell = 0
    names = ("county", "psu", "psu_stratum", "cell", "pi", "cs")
    cols: dict[str, list[np.ndarray]] = {k: [] for k in names}
    for u in parts:
        cols["county"].append(u.county + off_c)
        cols["psu"].append(u.psu + off_v)
        cols["psu_stratum"].append(u.psu_stratum + off_h)
        cols["cell"].append(u.cell + off_cell)
        cols["pi"].append(u.pi if u.pi is not None else np.zeros(len(u.psu_stratum)))
        cols["cs"].append(u.cell_size if u.cell_size is not None else np.zeros(len(u.psu)))
        off_c += u.n_counties
        off_v += len(u.psu_stratum)
        off_h += int(u.psu_stratum.max(initial=-1)) + 1
        off_cell += int(u.cell.max(initial=-1)) + 1
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return Units(
        county=cat["county"], psu=cat["psu"], psu_stratum=cat["psu_stratum"], cell=cat["cell"],
        stratum=np.concatenate([u.stratum for u in parts]),
        size=np.concatenate([u.size for u in parts]),
        weight=np.concatenate([u.weight for u in parts]), n_counties=off_c,
        pi=cat["pi"] if all(u.pi is not None for u in parts) else None,
        cell_size=cat["cs"] if all(u.cell_size is not None for u in parts) else None,
    )  # fmt: skip
