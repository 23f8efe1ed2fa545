"""The supervision rows of the access matrix (tests/test_access_matrix.py): each staff page ×
every role × an inspection, a discrepancy and a household in the user's county and outside it;
the public 红白榜 (page and PDF) answered to anyone with nobody's data."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.urls import reverse

from lantu.accounts.roles import Perm


def _endpoint(name: str, api: bool, perm: Perm, url: Any, scoped: bool = True) -> Any:
    from tests.test_access_matrix import Endpoint

    return Endpoint(name, api, perm, url, scoped)


def _county(w: dict[str, Any], hh: Any) -> str:
    return str(hh.region.parent.parent.code)


def _insp(w: dict[str, Any], hh: Any) -> int:
    return int(w["inspections"][hh.pk])


V = Perm.VIEW
SUPERVISION_ENDPOINTS = [
    _endpoint("sup.index", False, V, lambda w, hh: "/supervision/", False),
    _endpoint("sup.index.region", False, V, lambda w, hh: f"/supervision/?region={_county(w, hh)}"),
    _endpoint(
        "sup.discrepancies", False, V, lambda w, hh: "/supervision/discrepancies/?state=open", False
    ),
    _endpoint(
        "sup.discrepancies.region",
        False,
        V,
        lambda w, hh: f"/supervision/discrepancies/?region={hh.region.code}",
    ),
    _endpoint(
        "sup.discrepancies.xlsx",
        False,
        Perm.EXPORT,
        lambda w, hh: "/supervision/discrepancies/?format=xlsx",
        False,
    ),
    _endpoint("sup.inspections", False, V, lambda w, hh: "/supervision/inspections/", False),
    _endpoint(
        "sup.inspection", False, V, lambda w, hh: f"/supervision/inspections/{_insp(w, hh)}/"
    ),
    _endpoint(
        "sup.finding", False, V, lambda w, hh: f"/supervision/findings/{w['findings'][hh.pk]}/"
    ),
    _endpoint("sup.rankings", False, V, lambda w, hh: "/supervision/rankings/", False),
    _endpoint(
        "sup.chain.household", False, V, lambda w, hh: f"/supervision/chain/household/{hh.pk}/"
    ),
    _endpoint(
        "sup.chain.project",
        False,
        V,
        lambda w, hh: f"/supervision/chain/project/{w['projects'][hh.pk].pk}/",
    ),
]
# POST only (the matrix GETs): tests/supervision/test_pages.py, with permission and scope.
SUPERVISION_POSTS = {"discrepancy_act", "start", "finding_act"}
SUPERVISION_COVERED = {
    "index",
    "discrepancies",
    "inspections",
    "inspection",
    "finding",
    "rankings",
    "chain",
}


def build_supervision(w: dict[str, Any]) -> None:
    """A ledger-bypassing edit in both households, reconciled; an inspection with a finding in
    each county; a published 红白榜 of each county's townships."""
    from lantu.supervision import rankings, reconcile, services

    w["inspections"] = {}
    today = datetime.date.today()
    for target in ("inside", "outside"):
        hh = w[target]
        with connection.cursor() as cur:
            cur.execute("UPDATE registry_household SET status = 'poor' WHERE id = %s", [hh.pk])
        county = hh.region.parent.parent
        insp = services.create_inspection(
            actor=None,
            kind="audit",
            title=f"审计{target}",
            team="审计组",
            region=county,
            start=today,
        )
        found = services.add_finding(
            actor=None,
            inspection=insp,
            subject_type="household",
            household=hh,
            problem="台账不符",
            owner="村委会",
            deadline=today + datetime.timedelta(days=30),
        )
        w["inspections"][hh.pk] = insp.pk
        w.setdefault("findings", {})[hh.pk] = found.pk
        r = rankings.save(actor=None, region=county, level="township", period=str(today.year))
        rankings.publish(actor=None, ranking=r)
        w.setdefault("rankings", {})[target] = r.pk
    reconcile.run(actor=None, year=2020)


def check_public(client: Any, w: dict[str, Any]) -> None:
    for target in ("inside", "outside"):
        hh = w[target]
        resp = client.get(f"/public/supervision/{_county(w, hh)}/")
        assert resp.status_code == 200
        body = resp.content.decode()
        for t in ("inside", "outside"):
            for secret in w["secrets"][t]["identity"] + w["secrets"][t]["personal"]:
                assert secret not in body
        assert "张三" not in body
        pdf = client.get(f"/public/supervision/r/{w['rankings'][target]}.pdf")
        assert pdf.status_code in (200, 503)  # 503: no CJK font on this machine (it says so)


def supervision_routes_covered() -> None:
    from lantu.supervision import urls

    names = {p.name for p in urls.urlpatterns}
    assert names == SUPERVISION_COVERED | SUPERVISION_POSTS
    assert {p.name for p in urls.public_patterns[0]} == {"county", "pdf"}
    assert reverse("supervision:index") == "/supervision/"
