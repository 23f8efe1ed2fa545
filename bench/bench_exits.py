"""The exit assessment on the simulated province: speed and the coverage study.

    flock /work/bench.lock python bench/bench_exits.py --sim DIR [--year 2019] [--repeats 500]
        [--errors] [--seed 1]

Reads the simulation's ``truth/household_years/<year>.parquet`` (a bench may read the truth; the
application never does) and ``observed/poverty_status.parquet`` (poor villages of 2014 form the
poor-village stratum). Every county of the run is assessed: the frame is every household, its
stratum from the registry status the process gave it (exited; poor or returned; the rest outside).

The draws are estimated ``--batch`` at a time: their samples are stacked (county k of draw j
becomes one county of the stack), so each estimate and verdict call serves 25 draws at once.
Each batch is estimated twice: from the answers as recorded ("plain") and corrected for the
misclassification the re-check sub-sample measures ("corrected").

Prints: the time to draw samples for all counties and to estimate all counties (median of 5);
then, over ``--repeats`` independent draws (seed 1…R), for each indicator the coverage of the 95%
Korn-Graubard interval of the design-based estimate and of the naive simple-random-sampling
interval, the mean bias and relative bias, the mean design effect, and the share of (county,
draw) verdicts that are wrong (pass when the truth fails, or fail when it passes) and
inconclusive. ``--errors`` turns on the simulated enumerator and respondent errors
(``lantu/simulator/survey.yaml``); refusals are always on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
django.setup()

from lantu.exits import estimation, sampling, verdict  # noqa: E402
from lantu.simulator import survey  # noqa: E402


def load_frame(sim: Path, year: int) -> tuple[sampling.Frame, np.ndarray]:
    h = pl.read_parquet(
        sim / "truth" / "household_years" / f"{year}.parquet",
        columns=["household_id", "village_code", "size", "true_poor", "registry_status"],
    ).filter(pl.col("size") > 0)
    ps = pl.read_parquet(sim / "observed" / "poverty_status.parquet")
    poor_v = ps.filter(
        (pl.col("level") == "village") & (pl.col("year") == 2014) & pl.col("is_poor")
    )
    status = h["registry_status"].cast(pl.String)
    stratum = np.where(status == "exited", sampling.EXITED, sampling.OUTSIDE)
    stratum = np.where(status.is_in(["poor", "returned"]), sampling.POOR, stratum)
    village = h["village_code"].cast(pl.Int64).to_numpy()
    poor_village = h["village_code"].is_in(poor_v["code"].implode()).to_numpy()
    # Deep-poverty villages (the third stratum) by the app's rule: poor, and registered
    # households at least the configured share of the village's households.
    _codes, inv = np.unique(village, return_inverse=True)
    registered = np.bincount(inv, weights=stratum != sampling.OUTSIDE)
    first = np.unique(inv, return_index=True)[1]
    deep = sampling.deep_villages(poor_village[first], registered, np.bincount(inv))
    frame = sampling.Frame(
        county=village // 1_000_000,
        village=village,
        village_stratum=(poor_village.astype(np.int8) + deep[inv].astype(np.int8)),
        stratum=stratum.astype(np.int8),
        size=h["size"].to_numpy(),
        key=h["household_id"].to_numpy(),
    )
    return frame, h["true_poor"].to_numpy()


def truth_rates(frame: sampling.Frame, resp: estimation.Responses) -> dict[str, np.ndarray]:
    _c, county = np.unique(frame.county, return_inverse=True)
    zeros = np.zeros(len(county), np.int64)
    u = estimation.Units(county=county, psu=zeros, psu_stratum=zeros[:1], cell=county,
                         stratum=frame.stratum, size=frame.size, weight=np.ones(len(county)),
                         n_counties=len(_c))  # fmt: skip
    out = {}
    for name, (y, x) in estimation.indicator_terms(u, resp).items():
        ys = np.bincount(county, weights=y)
        xs = np.bincount(county, weights=x)
        out[name] = np.divide(ys, xs, out=np.full(len(xs), np.nan), where=xs > 0)
    return out


def timed(fn, n=5):  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def draw_batch(frame, true_poor, approves, seeds, errors):  # type: ignore[no-untyped-def]
    """Draw and answer one sample per seed; stack them so one estimate serves them all."""
    units, answers, villages = [], [], []
    for seed in seeds:
        s = sampling.draw(frame, seed=seed)
        u, _counties = sampling.units(s, frame)
        units.append(u)
        answers.append(survey.answer(true_poor[s.rows], approves[s.rows], seed=seed,
                                     errors=errors))  # fmt: skip
        first = np.unique(u.psu, return_index=True)[1]
        villages.append(np.bincount(u.county[first], minlength=u.n_counties))
    cat = {k: np.concatenate([getattr(a, k) for a in answers])
           for k in ("responded", "found_poor", "approves", "rechecked", "check_poor",
                     "check_approves")}  # fmt: skip
    return estimation.stack(units), estimation.Responses(**cat), np.concatenate(villages)


def judge_all(est, limits, conf, villages):  # type: ignore[no-untyped-def]
    return {k: verdict.judge(e, limits[k][0], limits[k][1], confidence=conf, villages=villages)
            for k, e in est.items()}  # fmt: skip


def true_verdict(rate: np.ndarray, threshold: float, direction: str) -> np.ndarray:
    ok = rate < threshold if direction == "max" else rate > threshold
    return np.where(ok, verdict.PASS, verdict.FAIL)


def wrong_count(v: np.ndarray, truth: np.ndarray) -> int:
    p, f = verdict.PASS, verdict.FAIL
    return int((((v == p) & (truth == f)) | ((v == f) & (truth == p))).sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", type=Path, required=True)
    ap.add_argument("--year", type=int, default=2019)
    ap.add_argument("--repeats", type=int, default=500)
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policy", default="yunnan")
    ap.add_argument("--batch", type=int, default=25, help="draws estimated in one call")
    args = ap.parse_args()
    conf = sampling.Design.default().confidence
    limits = {k: (v[0], v[1]) for k, v in verdict.thresholds(args.policy, args.year).items()}
    frame, true_poor = load_frame(args.sim, args.year)
    exited, outside = frame.stratum == sampling.EXITED, frame.stratum == sampling.OUTSIDE
    approves = survey.approval_of(true_poor, exited, outside, seed=args.seed)
    everyone = np.ones(len(frame), bool)
    truth = truth_rates(frame, estimation.Responses(everyone, true_poor, approves))
    n_c = len(np.unique(frame.county))
    print(f"frame: {len(frame):,} households, {len(np.unique(frame.village)):,} villages, "
          f"{n_c} counties; year {args.year}; errors {'on' if args.errors else 'off'}")  # fmt: skip
    t_draw, s = timed(lambda: sampling.draw(frame, seed=0))
    u, _ = sampling.units(s, frame)
    a = survey.answer(true_poor[s.rows], approves[s.rows], seed=0, errors=args.errors)
    resp = estimation.Responses(a.responded, a.found_poor, a.approves)
    t_est, _e = timed(lambda: estimation.estimate(u, resp, confidence=conf))
    print(f"sample: {len(s.rows):,} households in {len(s.villages['village']):,} villages; "
          f"deep-poverty villages in the frame: "
          f"{len(np.unique(frame.village[frame.village_stratum == 2])):,}")  # fmt: skip
    print(f"draw, all counties: {t_draw:.2f} s (median of 5); estimates with intervals and "
          f"verdicts' inputs, all counties: {t_est:.2f} s")  # fmt: skip
    names = list(estimation.INDICATORS)
    kinds = ["plain", "corrected"]  # without / with the re-check's misclassification correction
    cov = {(m, k): np.zeros(n_c) for m in kinds for k in names}
    cov_naive = {k: np.zeros(n_c) for k in names}
    err = {(m, k): np.zeros(n_c) for m in kinds for k in names}
    deff = {k: [] for k in names}  # type: dict[str, list[float]]
    wrong = {(m, k): 0 for m in kinds for k in [*names, "overall"]}
    undecided = {(m, k): 0 for m in kinds for k in [*names, "overall"]}
    truth_verdict = {k: true_verdict(truth[k], *limits[k]) for k in names}
    truth_overall = np.where(np.stack([truth_verdict[k] == verdict.PASS for k in names]).all(0),
                             verdict.PASS, verdict.FAIL)  # fmt: skip
    t0, c0 = time.perf_counter(), time.process_time()
    seeds = [args.seed * 100_000 + rep + 1 for rep in range(args.repeats)]
    for start in range(0, len(seeds), args.batch):
        batch = seeds[start : start + args.batch]
        u, resp, villages = draw_batch(frame, true_poor, approves, batch, args.errors)
        b = len(batch)
        for m in kinds:
            est = estimation.estimate(u, resp, confidence=conf, correct=m == "corrected")
            ver = judge_all(est, limits, conf, villages)
            for k in names:
                e, t = est[k], np.tile(truth[k], b)
                cov[m, k] += ((e.low <= t) & (t <= e.high)).reshape(b, n_c).sum(0)
                err[m, k] += (e.value - t).reshape(b, n_c).sum(0)
                v = ver[k].verdict
                wrong[m, k] += wrong_count(v, np.tile(truth_verdict[k], b))
                undecided[m, k] += int((v == verdict.INCONCLUSIVE).sum())
                if m == "plain":
                    cov_naive[k] += (
                        ((e.naive_low <= t) & (t <= e.naive_high)).reshape(b, n_c).sum(0)
                    )
                    deff[k].extend(np.median(e.deff.reshape(b, n_c), axis=1).tolist())
            ov = verdict.overall(ver)
            wrong[m, "overall"] += wrong_count(ov, np.tile(truth_overall, b))
            undecided[m, "overall"] += int((ov == verdict.INCONCLUSIVE).sum())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    r = args.repeats
    print(f"coverage study: {r} draws x {n_c} counties in {wall:.1f} s wall, {cpu:.1f} CPU-s "
          f"(batches of {args.batch})")  # fmt: skip
    for m in kinds:
        print(f"-- estimates {m}" + (" (re-check misclassification corrected)" if m == "corrected"
                                     else " (answers as recorded)"))  # fmt: skip
        print(f"{'indicator':16} {'true mean':>9} {'cover KG':>8} {'cover SRS':>9} "
              f"{'cnty<93%':>8} {'bias':>9} {'rel.bias':>8} {'deff':>5} {'wrong':>7} "
              f"{'undecided':>9}")  # fmt: skip
        total = r * n_c
        for k in [*names, "overall"]:
            if k == "overall":
                print(f"{k:16} {'':>9} {'':>8} {'':>9} {'':>8} {'':>9} {'':>8} {'':>5} "
                      f"{wrong[m, k] / total:7.2%} {undecided[m, k] / total:9.2%}")  # fmt: skip
                continue
            c, cn = cov[m, k] / r, cov_naive[k] / r
            bias = err[m, k] / r
            rel = np.nanmean(bias / np.where(truth[k] > 0, truth[k], np.nan))
            print(f"{k:16} {np.nanmean(truth[k]):9.4f} {np.mean(c):8.2%} {np.mean(cn):9.2%} "
                  f"{np.mean(c < 0.93):8.1%} {np.mean(bias):+9.5f} {rel:+8.2%} "
                  f"{statistics.median(deff[k]):5.2f} {wrong[m, k] / total:7.2%} "
                  f"{undecided[m, k] / total:9.2%}")  # fmt: skip
    tv = {k: f"{np.mean(truth_verdict[k] == verdict.PASS):.0%}" for k in names}
    print(f"true verdicts, share of counties passing: {tv}; all four: "
          f"{np.mean(truth_overall == verdict.PASS):.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
