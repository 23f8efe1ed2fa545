"""The seed article's project and fund figures (DOMAIN.md §10) computed from the loaded data,
scaled to the full province by the simulation's share of the rural population; shown by
``lantu simulate-check`` and ``lantu projects figures``."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import DatabaseError, connection

SEED = (
    (
        "integrated_funds",
        "统筹整合财政涉农资金（元）",
        "integrated agriculture funds (yuan)",
        184_122_000_000,
    ),
    (
        "industry_households",
        "产业扶持覆盖建档立卡户",
        "registered households with industry support",
        1_685_300,
    ),
    ("business_entities", "新型经营主体", "new business entities", 29_500),
    ("relocated_people", "易地扶贫搬迁人口", "people relocated", 996_000),
    ("relocation_sites", "集中安置点", "resettlement sites", 2_832),
)
SQL = {
    "integrated_funds": "SELECT COALESCE(SUM(amount), 0) / 100.0 FROM projects_fundavailability "
    "WHERE source = 'integrated'",
    "industry_households": "SELECT COUNT(DISTINCT b.household_id) FROM projects_beneficiary b "
    "JOIN projects_project p ON p.id = b.project_id WHERE p.category = 'industry'",
    "business_entities": "SELECT COUNT(DISTINCT implementer) FROM projects_project "
    "WHERE category = 'industry'",
    "relocated_people": "SELECT COALESCE(SUM(h.size), 0) FROM projects_beneficiary b JOIN "
    "projects_project p ON p.id = b.project_id JOIN registry_household h ON h.id = b.household_id "
    "WHERE p.category = 'relocation'",
    "relocation_sites": "SELECT COUNT(*) FROM projects_project WHERE category = 'relocation'",
}


def computed() -> dict[str, float]:
    out = {}
    with connection.cursor() as cur:
        for name, sql in SQL.items():
            cur.execute(sql)
            out[name] = float(cur.fetchone()[0] or 0)
    return out


def render(folder: Path) -> str:
    m = json.loads((Path(folder) / "observed" / "manifest.json").read_text())
    factor = m["full_rural_people"] / m["people"]
    try:
        got = computed()
    except (DatabaseError, RuntimeError):  # no database here (or not migrated): nothing loaded
        got = {name: 0.0 for name in SQL}
    if not any(got.values()):
        return "（项目资金未载入：lantu projects load DIR）/ projects not loaded\n"
    lines = [f"项目与资金 projects and funds (loaded data, scaled ×{factor:.1f}):"]
    for name, zh, en, seed in SEED:
        value = got[name] * factor
        lines.append(f"  {zh} / {en}: {value:,.0f} (seed {seed:,}; {value / seed:.1%})")
    return "\n".join(lines) + "\n"
