"""Early warning: a calibrated risk score per household, on the 1st of every month and whenever a
clue about it arrives, with its main reasons; the rules-only baseline beside it.

Features (``warning_features.FEATURES``) come from observed data only: the household register's
make-up, the registry's income history and composition, last year's department rosters, and this
year's dated department records, self-reports and visits up to the scoring day. The model is
scikit-learn's ``HistGradientBoostingClassifier``; its scores are calibrated (isotonic) on a later
year than it was fitted on, so a score reads as a probability of falling this year.
``threshold_for`` picks the lowest score whose alerts still meet the precision goal on the
validation year. ``reasons`` names, for each alerted row, the two feature groups whose removal
(set to the population's typical value) lowers the score most.

The rules-only baseline (``baseline``) alerts on any clue received this year (department record,
self-report, visit finding a risk) and on last year's registry income below the line.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from threadpoolctl import threadpool_limits

from lantu.monitoring.warning_features import DATASETS, FEATURES

GROUPS: dict[str, tuple[str, ...]] = {
    "income": ("ratio", "ratio_change", "transfer_share", "work_ratio", "work_months"),
    "household": ("size", "children", "elderly", "labour", "in_registry", "exited"),
    "health": ("sick", "disabled", "certificates", "oop_share", "med_oop_ratio", "inpatient"),
    "housing": ("housing_bad", "disaster_loss"),
    **{d: (f"n_{d}", "days_since_event") for d in DATASETS},
    "self_report": ("self_reports",),
    "visit": ("visit_risks",),
}
REASON_LABELS = {
    "income": ("收入接近或低于监测线", "income near or below the monitoring line"),
    "household": ("家庭结构", "household make-up"),
    "health": ("疾病、残疾或医疗自付高", "illness, disability or high medical bills"),
    "housing": ("住房不安全或受灾", "unsafe housing or disaster loss"),
    "public_security": ("户籍：家庭成员去世", "civil register: a member died"),
    "medical_bills": ("医保：住院", "medical insurance: a hospital stay"),
    "disability_certificates": ("残联：新办残疾证", "disability certificate issued"),
    "disaster_reports": ("应急：受灾", "emergency management: disaster loss"),
    "employment": ("人社：务工中断", "human resources: work stopped"),
    "self_report": ("群众自主申报", "the household reported itself"),
    "visit": ("干部走访发现风险", "a cadre's visit found a risk"),
}


@dataclass
class Model:
    clf: Any
    threshold: float
    typical: dict[str, float]


def matrix(df: pl.DataFrame) -> np.ndarray:
    """The feature columns as one float64 block, the trees' own dtype (no copy in predict);
    missing stays NaN: the trees route it."""
    return df.select(pl.col(f).cast(pl.Float64) for f in FEATURES).to_numpy()


def fit(
    train: pl.DataFrame,
    label: str = "label",
    seed: int = 1,
    calibrate: pl.DataFrame | None = None,
) -> Any:
    """Fit the trees on ``train``; calibrate (isotonic) on ``calibrate`` — a later year — when
    given, else by 3-fold cross-validation on ``train``."""
    base = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.06, max_leaf_nodes=31, l2_regularization=1.0,
        early_stopping=True, validation_fraction=0.1, random_state=seed,
    )  # fmt: skip
    if calibrate is None:
        clf = CalibratedClassifierCV(base, method="isotonic", cv=3)
        clf.fit(matrix(train), train[label].to_numpy())
        return clf
    base.fit(matrix(train), train[label].to_numpy())
    cal = CalibratedClassifierCV(FrozenEstimator(base), method="isotonic")
    cal.fit(matrix(calibrate), calibrate[label].to_numpy())
    return cal


def score(
    model: Any, df: pl.DataFrame, batch: int = 262_144, workers: int | None = None
) -> np.ndarray:
    """Calibrated scores, in slices of at most ``batch`` rows (bounded memory at province scale)
    scored by ``workers`` threads (default: every core), each slice on one OpenMP thread.

    The trees' own parallel predict splits every tree's rows over the cores and waits for all
    of them after each of the 300 trees; on a shared machine one late core stalls every tree
    (measured 10x slower than one thread). Whole slices per thread have no such wait. Each row
    is scored on its own, so the slicing changes no score."""
    clf = model.clf if isinstance(model, Model) else model
    if df.is_empty():
        return np.empty(0)
    workers = max(1, workers or os.cpu_count() or 1)
    size = max(1, min(batch, -(-df.height // workers)))
    spans = [(i, min(size, df.height - i)) for i in range(0, df.height, size)]

    def one(span: tuple[int, int]) -> np.ndarray:
        with threadpool_limits(1, user_api="openmp"):
            return np.asarray(clf.predict_proba(matrix(df.slice(*span)))[:, 1])

    if len(spans) == 1 or workers == 1:
        return np.concatenate([one(s) for s in spans])
    with ThreadPoolExecutor(min(workers, len(spans))) as pool:
        return np.concatenate(list(pool.map(one, spans)))


def _cuts(clf: Any) -> list[np.ndarray] | None:
    """Every split threshold of the fitted trees, per feature (sorted), or None when the model is
    not made of scikit-learn's numerical HistGradientBoosting trees."""
    found: list[Any] = []
    for part in getattr(clf, "calibrated_classifiers_", [clf]):
        est = part
        while not isinstance(est, HistGradientBoostingClassifier) and hasattr(est, "estimator"):
            est = est.estimator
        if not isinstance(est, HistGradientBoostingClassifier):
            return None
        if est.is_categorical_ is not None and est.is_categorical_.any():
            return None
        found += [p for iteration in est._predictors for p in iteration]
    cuts: list[list[np.ndarray]] = [[] for _ in FEATURES]
    for p in found:
        nodes = p.nodes[p.nodes["is_leaf"] == 0]
        for f in np.unique(nodes["feature_idx"]):
            cuts[int(f)].append(nodes["num_threshold"][nodes["feature_idx"] == f])
    return [np.unique(np.concatenate(c)) if c else np.empty(0) for c in cuts]


def score_distinct(model: Any, df: pl.DataFrame, **kw: Any) -> np.ndarray:
    """``score``, computed once per group of rows that every tree routes alike.

    A tree compares a feature with its thresholds (``x <= t``; a missing value takes the node's
    own side). Two rows with the same count of each feature's thresholds below the value, and
    missing in the same places, take the same path through every tree, so they get the same
    score: each such group is scored from its first row. At province scale most households
    without a clue share a group with others (about half the rows of the prefecture)."""
    cuts = _cuts(model.clf if isinstance(model, Model) else model)
    if cuts is None or df.height < 2:
        return score(model, df, **kw)
    codes = {}
    for j, f in enumerate(FEATURES):
        x = df[f].cast(pl.Float64).to_numpy()
        c = np.searchsorted(cuts[j], x, side="left").astype(np.int32)
        c[np.isnan(x)] = -1
        codes[f] = c
    groups = (
        pl.DataFrame(codes)
        .with_row_index("row")
        .group_by(list(FEATURES))
        .agg(pl.col("row"))
        .get_column("row")
    )
    first = groups.list.first()
    s = score(model, df[first], **kw)
    out = np.empty(df.height)
    out[groups.explode().to_numpy()] = np.repeat(s, groups.list.len().to_numpy())
    return out


def threshold_for(scores: np.ndarray, truth: np.ndarray, precision: float = 0.5) -> float:
    """The lowest threshold whose alerts are at least ``precision`` right (most recall)."""
    order = np.argsort(-scores)
    hits = np.cumsum(truth[order])
    prec = hits / np.arange(1, len(order) + 1)
    ok = np.nonzero(prec >= precision)[0]
    return float(scores[order][ok.max()]) if ok.size else 1.0


def typical(df: pl.DataFrame) -> dict[str, float]:
    medians = df.select(pl.col(f).cast(pl.Float64).median() for f in FEATURES).row(0)
    return {f: float(m or 0.0) for f, m in zip(FEATURES, medians, strict=True)}


def reasons(model: Model, df: pl.DataFrame, top: int = 2) -> list[list[str]]:
    """The ``top`` feature groups that raise each row's score most (vectorised per group)."""
    if df.is_empty():
        return []
    base = score(model, df)
    drops = []
    for cols in GROUPS.values():
        neutral = df.with_columns([pl.lit(model.typical[c]).alias(c) for c in cols])
        drops.append(base - score(model, neutral))
    best = np.argsort(-np.vstack(drops), axis=0)[:top].T
    names = list(GROUPS)
    return [[names[i] for i in row] for row in best]


def baseline(df: pl.DataFrame) -> np.ndarray:
    """Rules only: any clue received so far this year, or last year's registry income below the
    line."""
    clues = [f"n_{d}" for d in DATASETS] + ["self_reports", "visit_risks"]
    signals = df.select(pl.sum_horizontal(clues) > 0).to_series()
    return (signals | (df["ratio"] < 1.0).fill_null(False)).to_numpy()
