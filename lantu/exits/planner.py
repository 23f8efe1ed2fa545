"""The sample-size planner (样本量测算).

For an indicator expected near rate p, a target margin d (half-width) at a confidence, a design
effect and the population of households in the indicator's domain:

- simple random sampling: n₀ = z² p (1 − p) / d², with the finite-population correction
  n = n₀ / (1 + (n₀ − 1) / N);
- the clustered sample: n × deff households, in ⌈n × deff / m⌉ villages of m households each
  (deff from the intra-village correlation ρ as 1 + (m − 1) ρ when ρ is given);
- the zero-error rule: if no error is found among n, the one-sided Clopper-Pearson upper bound
  is 1 − α^{1/n}; it is below a maximum p₀ once n ≥ ln α / ln(1 − p₀) (n ≥ 149 for 2% at 95%),
  and n × deff under clustering.

The numbers are the usual textbook formulas (Cochran 1977 §4; Kish 1965 for deff), z and the
bounds from scipy.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats


@dataclass(frozen=True)
class Plan:
    n_srs: int
    n_srs_fpc: int
    deff: float
    households: int
    villages: int
    zero_error_n: int
    zero_error_households: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def zero_error_n(maximum: float, confidence: float = 0.95) -> int:
    """The smallest n whose one-sided upper bound with 0 errors is below ``maximum``."""
    n = math.ceil(math.log(1 - confidence) / math.log(1 - maximum))
    # The exact bound, 1 − α^{1/n}, is strictly below the maximum from this n on.
    return n if 1 - (1 - confidence) ** (1 / n) < maximum else n + 1


def plan(
    *,
    margin: float,
    rate: float,
    population: int,
    confidence: float = 0.95,
    deff: float | None = None,
    icc: float | None = None,
    per_village: int = 27,
    maximum: float | None = None,
) -> Plan:
    """See the module docstring; ``maximum`` (the indicator's threshold) for the zero-error rule
    (default: ``rate``)."""
    if not (0 < margin < 1 and 0 <= rate <= 1 and population > 0 and per_village > 0):
        raise ValueError("margin in (0, 1), rate in [0, 1], population and per_village > 0")
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    n0 = z * z * rate * (1 - rate) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population) if n0 > 1 else n0
    d = deff if deff is not None else (1 + (per_village - 1) * icc if icc is not None else 1.0)
    households = math.ceil(n * d)
    zero = zero_error_n(maximum or rate or margin, confidence)
    return Plan(
        n_srs=math.ceil(n0),
        n_srs_fpc=math.ceil(n),
        deff=round(d, 3),
        households=households,
        villages=math.ceil(households / per_village),
        zero_error_n=zero,
        zero_error_households=math.ceil(zero * d),
    )
