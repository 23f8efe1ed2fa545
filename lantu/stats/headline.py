"""The seed article's headline figures (DOMAIN.md §10, declared in ``indicators.yaml``) beside the
same figures computed from the application's data, for a region's latest year — the page's
counterpart of ``lantu simulate-check``. The seed figures are Yunnan's; below the province the
computed figure is the region's share, so the ratio is shown only at province level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lantu.regions.models import Region
from lantu.stats import queries
from lantu.stats.indicators import Headline, Indicator, catalogue


@dataclass
class Row:
    headline: Headline
    indicator: Indicator
    computed: float | None
    ratio: float | None

    @property
    def no_data(self) -> bool:
        return self.computed is None


def compare(user: Any, region: Region) -> tuple[list[Row], int | None]:
    cat = catalogue()
    years = queries.years(user, region)
    if not years:
        return [Row(h, cat.indicators[h.indicator], None, None) for h in cat.headline], None
    figs = queries.figures(user, region, years[-1])
    rows = []
    for h in cat.headline:
        value = figs.total(h.indicator)
        ratio = (
            value / h.seed if value is not None and h.seed and region.level == "province" else None
        )
        rows.append(Row(h, cat.indicators[h.indicator], value, ratio))
    return rows, years[-1]
