"""The assessment survey answered from the truth (for the coverage study and the demo only:
the application never reads ``truth/``).

``approval_of(...)`` draws each household's view (认可 or not) once for the whole province, from
how the registry treated it (``survey.yaml``: correct, wrongly exited, missed), so the true
approval rate of a county is a fixed number the estimates can be scored against.
``answer(...)`` is one visit to the sampled households: refusals, then what the interview finds
(the truth's ``true_poor`` with the respondent's and enumerator's errors) and the approval
answer (with its own error). ``errors=False`` answers exactly from the truth (refusals kept), to
measure the design's coverage alone. All arrays, no loop over households.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from lantu.simulator.params import Params


def params() -> Params:
    text = resources.files("lantu.simulator").joinpath("survey.yaml").read_text("utf-8")
    return Params(yaml.safe_load(text))


@dataclass
class Answers:
    responded: np.ndarray
    found_poor: np.ndarray
    approves: np.ndarray


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
    u = rng.random((4, n))
    responded = u[0] >= p.f("respondent.refusal")
    found, said = true_poor.copy(), approves.copy()
    if errors:
        miss = true_poor & (u[1] < p.f("respondent.poor_missed"))
        extra = ~true_poor & (u[2] < p.f("respondent.nonpoor_found_poor"))
        found = (true_poor & ~miss) | extra
        said = approves ^ (u[3] < p.f("respondent.approval_flip"))
    return Answers(responded=responded, found_poor=found & responded, approves=said & responded)
