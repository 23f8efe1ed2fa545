"""The sample design, the estimator, the verdicts and the planner on a synthetic frame."""

from __future__ import annotations

import numpy as np
import pytest

from lantu.exits import estimation, planner, sampling, verdict


def frame(seed: int = 3, counties: int = 3) -> sampling.Frame:
    rng = np.random.default_rng(seed)
    villages = np.repeat(np.arange(counties * 40), rng.integers(30, 150, counties * 40))
    n = len(villages)
    county = 530100 + villages // 40
    stratum = rng.choice([0, 1, 2], n, p=[0.2, 0.05, 0.75]).astype(np.int8)
    return sampling.Frame(
        county=county.astype(np.int64),
        village=(county * 1_000_000 + villages).astype(np.int64),
        village_stratum=((villages % 40) < 12).astype(np.int8),
        stratum=stratum,
        size=rng.integers(1, 7, n),
        key=np.arange(n, dtype=np.int64),
    )


def test_draw_is_reproducible_and_follows_the_design() -> None:
    f = frame()
    a, b = sampling.draw(f, seed=7), sampling.draw(f, seed=7)
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.weight, b.weight)
    assert not np.array_equal(a.rows, sampling.draw(f, seed=8).rows)
    per_county = np.bincount(
        np.unique(f.county[a.rows], return_inverse=True)[1][np.unique(a.psu, return_index=True)[1]]
    )
    assert set(per_county) <= set(range(27, 32))  # ≈ 29 villages, at least 2 per stratum
    # About half of each village's households are inside the registry.
    inside = np.mean(f.stratum[a.rows] != sampling.OUTSIDE)
    assert 0.4 < inside < 0.6
    assert np.all(a.weight >= 1)


def test_weights_are_unbiased_for_frame_counts() -> None:
    f = frame()
    totals = []
    for seed in range(200):
        s = sampling.draw(f, seed=seed)
        totals.append(np.bincount(f.stratum[s.rows], weights=s.weight, minlength=3))
    mean = np.mean(totals, axis=0)
    true = np.bincount(f.stratum, minlength=3)
    assert np.allclose(mean, true, rtol=0.03)


def test_estimates_cover_the_truth() -> None:
    f = frame(counties=2)
    rng = np.random.default_rng(1)
    poor = rng.random(len(f)) < np.where(f.stratum == sampling.POOR, 0.6, 0.04)
    approves = rng.random(len(f)) < 0.93
    truth = np.bincount(
        np.unique(f.county, return_inverse=True)[1],
        weights=f.size * ((f.stratum == sampling.EXITED) & poor),
    ) / np.bincount(np.unique(f.county, return_inverse=True)[1], weights=f.size * (f.stratum == 0))
    covered, draws = 0, 300
    for seed in range(draws):
        s = sampling.draw(f, seed=seed)
        u, counties = sampling.units(s, f)
        resp = estimation.Responses(np.ones(len(s.rows), bool), poor[s.rows], approves[s.rows])
        e = estimation.estimate(u, resp)["wrong_exit_rate"]
        covered += int(((e.low <= truth) & (truth <= e.high)).sum())
        assert list(counties) == sorted(set(f.county))
    assert covered / (2 * draws) > 0.9  # a frame of 40 villages a county: π near 1


def test_the_public_ratio_estimator_is_the_one_estimate_uses() -> None:
    """``ratio_variance`` (what the supervision field check calls) with its strata and cells left
    to itself gives the same ratio and variance as ``estimate`` for an indicator."""
    f = frame(counties=2)
    rng = np.random.default_rng(5)
    approves = rng.random(len(f)) < 0.9
    s = sampling.draw(f, seed=2)
    u, _counties = sampling.units(s, f)
    responded = rng.random(len(s.rows)) < 0.95
    resp = estimation.Responses(responded, np.zeros(len(s.rows), bool), approves[s.rows])
    e = estimation.estimate(u, resp)["approval_rate"]
    w = estimation.adjusted_weights(u, responded)
    assert np.array_equal(w, estimation.adjusted_weights(u, responded, estimation.cells(u)))
    one = np.ones(len(s.rows))
    r, var, df = estimation.ratio_variance(u, w, one * approves[s.rows], one)
    assert np.allclose(r, e.value) and np.allclose(np.sqrt(var), e.se)
    assert np.array_equal(df, e.df)
    ids, inv = estimation.cells(u)
    assert np.array_equal(ids[inv], u.cell)


def test_zero_errors_still_give_an_upper_bound() -> None:
    low, high = estimation.cp_bounds(np.array([0.0]), np.array([149.0]), 0.05, 0.05)
    assert low[0] == 0 and 0.0199 < high[0] < 0.02
    n = estimation.korn_graubard_size(np.array([0.0]), np.array([0.0]), np.array([300.0]),
                                      np.array([27]), 0.95)  # fmt: skip
    assert 250 < n[0] <= 300


def _estimate(value: float, n_eff: float) -> estimation.Estimate:
    a = np.array
    return estimation.Estimate(value=a([value]), se=a([0.0]), low=a([0.0]), high=a([1.0]),
                               n=a([n_eff]), n_eff=a([n_eff]), deff=a([1.0]), df=a([27]),
                               naive_low=a([0.0]), naive_high=a([1.0]))  # fmt: skip


def test_verdicts_pass_fail_and_inconclusive_with_how_many_more() -> None:
    conf = 0.95
    v = verdict.judge(_estimate(0.0, 149), 0.02, "max", confidence=conf, villages=np.array([29]))
    assert v.verdict[0] == verdict.PASS
    v = verdict.judge(_estimate(0.0, 140), 0.02, "max", confidence=conf, villages=np.array([29]))
    assert v.verdict[0] == verdict.INCONCLUSIVE
    assert v.more_households[0] == 9  # 149 would decide it
    v = verdict.judge(_estimate(0.10, 500), 0.02, "max", confidence=conf, villages=np.array([29]))
    assert v.verdict[0] == verdict.FAIL
    v = verdict.judge(_estimate(0.95, 40), 0.90, "min", confidence=conf, villages=np.array([29]))
    assert v.verdict[0] == verdict.INCONCLUSIVE and v.more_villages[0] > 0
    v = verdict.judge(_estimate(0.02, 400), 0.02, "max", confidence=conf, villages=np.array([29]))
    assert np.isinf(v.more_households[0])


def test_thresholds_come_from_the_ruler() -> None:
    t = verdict.thresholds("yunnan", 2019)
    assert t["incidence"][0] == pytest.approx(0.03)
    assert t["wrong_exit_rate"][:2] == (0.02, "max")
    assert t["approval_rate"][:2] == (0.90, "min")


def test_planner() -> None:
    assert planner.zero_error_n(0.02) == 149
    p = planner.plan(margin=0.01, rate=0.02, population=10**6, deff=2.5, per_village=27)
    assert p.n_srs == 753 and p.households == 1881 and p.villages == 70
    assert planner.plan(margin=0.01, rate=0.02, population=500).n_srs_fpc < 500
    with pytest.raises(ValueError):
        planner.plan(margin=0, rate=0.02, population=10)


def test_stacked_draws_estimate_as_each_alone() -> None:
    f = frame()
    rng = np.random.default_rng(2)
    poor = rng.random(len(f)) < 0.08
    parts, resps = [], []
    for seed in (1, 2):
        s = sampling.draw(f, seed=seed)
        parts.append(sampling.units(s, f)[0])
        resps.append(estimation.Responses(np.ones(len(s.rows), bool), poor[s.rows], ~poor[s.rows]))
    alone = [estimation.estimate(u, r)["incidence"] for u, r in zip(parts, resps, strict=True)]
    joined = estimation.Responses(*(np.concatenate([getattr(r, k) for r in resps])
                                    for k in ("responded", "found_poor", "approves")))  # fmt: skip
    both = estimation.estimate(estimation.stack(parts), joined)["incidence"]
    assert np.allclose(both.value, np.concatenate([e.value for e in alone]))
    assert np.allclose(both.high, np.concatenate([e.high for e in alone]))


def test_the_recheck_corrects_misclassification() -> None:
    """1% of households that are not poor found poor biases every rate upwards; the re-check
    pairs measure it, and the corrected estimate is near the truth with a wider interval."""
    f = frame(counties=2)
    rng = np.random.default_rng(4)
    poor = rng.random(len(f)) < 0.05
    ci = np.unique(f.county, return_inverse=True)[1]
    outside = f.stratum == sampling.OUTSIDE
    truth = np.bincount(ci, weights=f.size * (outside & poor)) / np.bincount(
        ci, weights=f.size * outside
    )
    plain, corrected, covered = [], [], 0
    for seed in range(60):
        s = sampling.draw(f, seed=seed)
        u, _ = sampling.units(s, f)
        t = poor[s.rows]
        r = np.random.default_rng(seed).random((3, len(t)))
        first = (t & (r[0] >= 0.05)) | (~t & (r[1] < 0.03))
        k = r[2] < 0.3
        resp = estimation.Responses(np.ones(len(t), bool), first, np.ones(len(t), bool),
                                    rechecked=k, check_poor=t & k, check_approves=k)  # fmt: skip
        plain.append(estimation.estimate(u, resp, correct=False)["missed_rate"].value)
        e = estimation.estimate(u, resp)["missed_rate"]
        corrected.append(e.value)
        covered += int(((e.low <= truth) & (truth <= e.high)).sum())
    assert np.all(np.mean(plain, 0) - truth > 0.02)  # 3% false positives: biased
    assert np.all(np.abs(np.mean(corrected, 0) - truth) < 0.006)
    assert covered / 120 > 0.9


def test_deep_poverty_is_policy_data_with_sources() -> None:
    deep = sampling.deep_poverty()
    assert deep["counties"]["533323000000"]["name"] == "福贡县"  # Nujiang: 三区三州
    assert all(c["source"] for c in deep["counties"].values())
    v = sampling.deep_villages(np.array([True, True, False]), np.array([30, 10, 90]),
                               np.array([100, 100, 100]))  # fmt: skip
    assert v.tolist() == [True, False, False]  # poor and registered ≥ 20%; not a non-poor one
    # A deep-poverty stratum is drawn (at least two villages) like the others.
    f = frame()
    f.village_stratum = np.where((f.village % 40) < 4, 2, f.village_stratum).astype(np.int8)
    s = sampling.draw(f, seed=3)
    assert (s.villages["vstratum"] == 2).sum() >= 2 * 3
