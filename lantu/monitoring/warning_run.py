"""The early warning's scoring run: every household of the register scored on one day (the
monthly run on the 1st), fast enough for a province.

A household's features change inside the year only when a clue about it arrives: its yearly
part (``warning_features.static``) is fixed on the 1st of January, and without a clue received by
the scoring day its dynamic part is all zeros (``days_since_event`` 999). So every household
without a clue has one score all year, its *quiet* score. ``quiet`` builds the yearly features and
scores that row once per year (kept on disk under ``cache``, keyed by the model, the year, the
line and the input files' sizes and dates); ``on_day`` then builds features for, and re-scores,
only the households with a clue received by the day, and takes the quiet score for the rest.

``full`` builds every household's row for the day and scores all of them: the reference that
``on_day`` must equal for every household (the trees score each row on its own, so the same
row gives the same score; ``tests/monitoring/test_warning_run.py`` holds the two equal).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lantu.monitoring import warning
from lantu.monitoring import warning_features as wf

QUIET: dict[str, float] = {
    **{c: 0.0 for c in wf.DYNAMIC if c != "days_since_event"},
    "days_since_event": 999.0,
}
INPUTS = (
    "departments/public_security.parquet",
    "departments/employment.parquet",
    "departments/medical_bills.parquet",
    "departments/disability_certificates.parquet",
    "departments/disaster_reports.parquet",
    "registry/households.parquet",
    "registry/members.parquet",
    "registry/years.parquet",
)


def _feed(h: Any, o: Any, seen: dict[int, int]) -> None:
    """Hash a fitted model by content: arrays by their bytes, objects by class and attributes in
    name order, a shared or cyclic reference by its first visit (pickle bytes are not stable
    from one process to the next)."""
    if isinstance(o, (str, bytes, int, float, bool, type(None), np.generic)):
        h.update(f"{type(o).__name__}:{o!r};".encode())
        return
    if id(o) in seen:
        h.update(f"ref{seen[id(o)]};".encode())
        return
    seen[id(o)] = len(seen)
    if isinstance(o, np.ndarray):
        h.update(f"a{o.dtype.str}{o.shape}".encode())
        if o.dtype.hasobject:
            for x in o.ravel():
                _feed(h, x, seen)
        else:
            h.update(np.ascontiguousarray(o).tobytes())
    elif isinstance(o, (list, tuple)):
        h.update(f"l{len(o)}".encode())
        for x in o:
            _feed(h, x, seen)
    elif isinstance(o, dict):
        h.update(f"d{len(o)}".encode())
        for k in sorted(o, key=repr):
            h.update(repr(k).encode())
            _feed(h, o[k], seen)
    elif isinstance(o, (set, frozenset)):
        h.update(repr(sorted(map(repr, o))).encode())
    elif isinstance(o, type):
        h.update(f"t{o.__module__}.{o.__qualname__}".encode())
    elif hasattr(o, "__dict__"):
        h.update(f"o{type(o).__module__}.{type(o).__qualname__}".encode())
        _feed(h, vars(o), seen)
    else:
        h.update(pickle.dumps(o))


def fingerprint(model: Any, obs: Path, year: int, line: float) -> str:
    """What the year's quiet scores depend on: the fitted model, the year and line, and the
    observed files the yearly features read (path, size, modification time)."""
    clf = model.clf if isinstance(model, warning.Model) else model
    h = hashlib.sha256()
    _feed(h, clf, {})
    h.update(f"{year}|{line!r}".encode())
    for name in (*INPUTS, f"registry/member_years/{year - 1}.parquet"):
        p = obs / name
        st = p.stat() if p.exists() else None
        h.update(f"|{name}:{st.st_size if st else -1}:{st.st_mtime_ns if st else -1}".encode())
    return h.hexdigest()[:20]


def quiet(model: Any, obs: Path, year: int, line: float, cache: Path | None = None) -> pl.DataFrame:
    """hukou_no, the yearly features and ``quiet``: the score of the household's row without a
    clue. Read from ``cache`` when this model, year, line and inputs were scored before."""
    path = (
        cache / f"warning-{year}-{fingerprint(model, obs, year, line)}.parquet" if cache else None
    )
    if path is not None and path.exists():
        return pl.read_parquet(path)
    base = wf.static(obs, year, line)
    rows = base.with_columns(pl.lit(v, dtype=pl.Float64).alias(c) for c, v in QUIET.items())
    out = base.with_columns(quiet=pl.Series(warning.score_distinct(model, rows), dtype=pl.Float64))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        out.write_parquet(tmp)
        tmp.replace(path)  # atomic: a concurrent run reads the whole file or none
    return out


def on_day(
    model: Any, obs: Path, day: datetime.date, line: float, cache: Path | None = None
) -> pl.DataFrame:
    """hukou_no, score of every household on ``day``: the quiet score, re-scored for the
    households with a clue received on or before ``day``."""
    q = quiet(model, obs, day.year, line, cache)
    sig = wf.signals(obs, day.year).filter(pl.col("received") <= day)
    points = sig.select("hukou_no").unique().with_columns(at=pl.lit(day))
    rows = wf.at(q.select("hukou_no", *wf.STATIC), sig, points)
    fresh = rows.select("hukou_no", score=pl.Series(warning.score(model, rows), dtype=pl.Float64))
    return (
        q.select("hukou_no", "quiet")
        .join(fresh, on="hukou_no", how="left")
        .select("hukou_no", score=pl.coalesce("score", "quiet"))
    )


def full(model: Any, obs: Path, day: datetime.date, line: float) -> pl.DataFrame:
    """hukou_no, score: every household's row built for ``day`` and scored (the reference)."""
    base = wf.static(obs, day.year, line)
    sig = wf.signals(obs, day.year)
    rows = wf.at(base, sig, base.select("hukou_no", at=pl.lit(day)))
    return rows.select("hukou_no", score=pl.Series(warning.score(model, rows), dtype=pl.Float64))
