"""The synthetic province with ground truth (issue 3): ``simulate`` writes ``truth/`` and
``observed/`` Parquet folders; see docs/simulator.md. The implementation is imported lazily, since
Django imports this package before the app registry is ready."""

from __future__ import annotations

from pathlib import Path

__all__ = ["simulate"]


def simulate(
    preset: str,
    out: Path,
    seed: int = 1,
    people: int | None = None,
    years: tuple[int, int] = (2014, 2025),
) -> Path:
    """Generate ``preset`` ('county', 'prefecture' or 'yunnan') into ``out``; returns ``out``."""
    from lantu.simulator.run import simulate as run

    return run(preset, Path(out), seed=seed, people=people, years=years)
