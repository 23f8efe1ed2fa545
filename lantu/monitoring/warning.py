"""Early warning: a calibrated risk score per household, each month and whenever a department
record about it arrives, with its main reasons; the rules-only baseline beside it.

Features (``FEATURES``) are what the registry and the departments would hold: last year's
per-capita net income against this year's monitoring line, its change over the year before, the
household's size, minimum living allowance, medical out-of-pocket spending, housing grade, its
registry standing, and the count of each department's records about it so far this year.
The model is scikit-learn's ``HistGradientBoostingClassifier`` wrapped in
``CalibratedClassifierCV`` (isotonic), so a score reads as a probability of falling this year.
``threshold_for`` picks the lowest score whose alerts still meet the precision goal on the
validation year. ``reasons`` names, for each alerted row, the two feature groups whose removal
(set to the population's typical value) lowers the score most.

The rules-only baseline (``baseline``) alerts on any department record and on last year's income
below the line: what the ruler's monitoring rules would see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier

DATASETS = ("public_security", "medical_bills", "disability_certificates", "disaster_reports",
            "employment")  # fmt: skip
FEATURES = (
    "ratio", "ratio_change", "size", "dibao", "oop_share", "housing_bad", "registered",
    *(f"n_{d}" for d in DATASETS),
)  # fmt: skip
GROUPS: dict[str, tuple[str, ...]] = {
    "income": ("ratio", "ratio_change"),
    "household": ("size", "dibao", "registered"),
    "medical_spending": ("oop_share",),
    "housing": ("housing_bad",),
    **{d: (f"n_{d}",) for d in DATASETS},
}
REASON_LABELS = {
    "income": ("收入接近或低于监测线", "income near or below the monitoring line"),
    "household": ("家庭结构", "household make-up"),
    "medical_spending": ("医疗自付支出高", "high out-of-pocket medical spending"),
    "housing": ("住房不安全", "unsafe housing"),
    "public_security": ("户籍：家庭成员去世", "civil register: a member died"),
    "medical_bills": ("医保：住院", "medical insurance: a hospital stay"),
    "disability_certificates": ("残联：新办残疾证", "disability certificate issued"),
    "disaster_reports": ("应急：受灾", "emergency management: disaster loss"),
    "employment": ("人社：务工中断", "human resources: work stopped"),
}


@dataclass
class Model:
    clf: Any
    threshold: float
    typical: dict[str, float]


def matrix(df: pl.DataFrame) -> np.ndarray:
    return df.select(FEATURES).cast(pl.Float64).fill_null(0.0).to_numpy()


def fit(train: pl.DataFrame, label: str = "label", seed: int = 1) -> Any:
    base = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.08, random_state=seed)
    clf = CalibratedClassifierCV(base, method="isotonic", cv=3)
    clf.fit(matrix(train), train[label].to_numpy())
    return clf


def score(model: Any, df: pl.DataFrame) -> np.ndarray:
    clf = model.clf if isinstance(model, Model) else model
    return np.asarray(clf.predict_proba(matrix(df))[:, 1])


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
    """Rules only: any department record so far, or last year's income below the line."""
    signals = df.select(pl.sum_horizontal([f"n_{d}" for d in DATASETS]) > 0).to_series()
    return (signals | (df["ratio"] < 1.0)).to_numpy()
