"""Every read of the project room, through the user's region scope (``lantu.accounts.scope``).

A project belongs to its county but is seen from below too: a township or village user sees the
projects that serve a place in their subtree. Payments, beneficiaries and household assets are
scoped by their household's place. Totals on a page are computed for that page's rows only
(subqueries over indexed foreign keys), never over the registry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from lantu.accounts.scope import in_scope, scope_path, scoped, under
from lantu.core.errors import OutOfScope
from lantu.projects.models import (
    Allocation,
    Asset,
    Beneficiary,
    Disbursement,
    Finding,
    FundAvailability,
    Project,
    ProjectArea,
)
from lantu.projects.money import YuanField
from lantu.regions.models import Region
from lantu.registry import queries as registry_queries
from lantu.registry.models import Household, StatusChange


def _sum(model: Any, **outer: str) -> Coalesce:
    sub = (
        model.objects.filter(**{k: OuterRef(v) for k, v in outer.items()})
        .values(*outer)
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(sub, output_field=YuanField()), 0, output_field=YuanField())


SEEN_IDS_MAX = 5_000  # up to this many projects in a subtree, the filter lists their ids


def _seen_from(path: str) -> Q:
    """Projects of the subtree at ``path`` or serving a place in it: the union of two index scans
    (the projects' paths, the areas' paths). A county's few thousand at most are read first and
    listed by id, which the planner looks up by primary key; a larger subtree (a prefecture, the
    province) keeps the union as a subquery. Written as ``a OR pk IN (…)``, the planner scanned
    every project of the province (132 ms at 10⁵ projects for a county's count)."""
    like = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    p, a = Project._meta.db_table, ProjectArea._meta.db_table
    sql = (
        f"SELECT id FROM {p} WHERE region_path LIKE %s ESCAPE '\\' "
        f"UNION SELECT project_id FROM {a} WHERE region_path LIKE %s ESCAPE '\\'"
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM ({sql}) s LIMIT {SEEN_IDS_MAX + 1}", [like, like])
        ids = [r[0] for r in cur.fetchall()]
    if len(ids) > SEEN_IDS_MAX:
        return Q(pk__in=RawSQL(sql, [like, like]))
    if connection.vendor == "postgresql":
        # one array parameter: a list of 800 literals costs ~15 ms of Python a query to compile
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (ids,)))
    return Q(pk__in=ids)


def projects(
    user: Any,
    *,
    region: Region | None = None,
    year: int | None = None,
    stage: str = "",
    category: str = "",
) -> QuerySet[Project]:
    path = scope_path(user)
    if path is None:
        return Project.objects.none()
    # A region inside the user's subtree narrows it: its own filter is the whole condition.
    inside = region is not None and region.path.startswith(path)
    qs = Project.objects.all() if inside else Project.objects.filter(_seen_from(path))
    if region is not None:
        qs = qs.filter(_seen_from(region.path))
    if year:
        qs = qs.filter(year=year)
    if stage:
        qs = qs.filter(stage=stage)
    if category:
        qs = qs.filter(category=category)
    return qs.select_related("county").order_by("-year", "code")


def with_totals(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.annotate(
        allocated=_sum(Allocation, project_id="pk"), disbursed=_sum(Disbursement, project_id="pk")
    )


def project(user: Any, pk: int) -> Project:
    p = with_totals(projects(user).filter(pk=pk)).first()
    if p is None:
        raise OutOfScope()
    return p


def payments(user: Any, project: Project) -> QuerySet[Disbursement]:
    qs = Disbursement.objects.filter(project=project).select_related(
        "household", "household__region"
    )
    return scoped(qs, user).order_by("-date", "voucher")


def beneficiaries(user: Any, project: Project) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.filter(project=project).select_related(
        "household", "household__region"
    )
    return scoped(qs, user).order_by("household__household_no")


def assets(user: Any, project: Project) -> QuerySet[Asset]:
    return scoped(Asset.objects.filter(project=project).select_related("region", "household"), user)


def funds(user: Any, year: int | None = None) -> list[dict[str, Any]]:
    """Per county, source and year: available, allocated, disbursed (disbursed by the source's
    share is not traceable: payments are per project, so it is shown per project elsewhere)."""
    qs = scoped(FundAvailability.objects.select_related("county"), user)
    if year:
        qs = qs.filter(year=year)
    alloc = {
        (r["project__county_id"], r["source"], r["year"]): r["s"]
        for r in scoped(Allocation.objects.all(), user)
        .values("project__county_id", "source", "year")
        .annotate(s=Sum("amount"))
    }
    out = []
    for f in qs.order_by("-year", "county__code", "source"):
        a = Decimal(alloc.get((f.county_id, f.source, f.year)) or 0)
        out.append({"row": f, "allocated": a, "left": f.amount - a})
    return out


def findings(user: Any, *, state: str = "open", rule: str = "") -> QuerySet[Finding]:
    qs = scoped(Finding.objects.select_related("project", "household"), user)
    if state:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule=rule)
    return qs.order_by("rule", "key")


def household_io(user: Any, household: Household) -> dict[str, Any]:
    """投入产出清 for one household: by year, what went in (payments, projects) beside what came
    out (per-capita net income, status changes)."""
    household = in_scope(Household.objects.all(), user, household)
    paid = {
        r["year"]: r["s"]
        for r in Disbursement.objects.filter(household=household)
        .values("year")
        .annotate(s=Sum("amount"))
    }
    # the household file prefetched its years and status changes (registry.queries.household_file)
    income = {y.year: y.per_capita_net_income for y in registry_queries.household_years(household)}
    status: dict[int, list[str]] = {}
    for c in reversed(registry_queries.household_status_changes(household)):  # oldest first
        status.setdefault(c.year, []).append(c.get_to_status_display())
    projects_by_year: dict[int, list[Project]] = {}
    for b in Beneficiary.objects.filter(household=household).select_related("project"):
        projects_by_year.setdefault(b.project.year, []).append(b.project)
    years = sorted({*paid, *income, *status, *projects_by_year})
    rows = [
        {
            "year": y,
            "paid": Decimal(paid.get(y) or 0),
            "projects": projects_by_year.get(y, []),
            "income": income.get(y),
            "status": "、".join(status.get(y, [])),
        }
        for y in years
    ]
    return {
        "rows": rows,
        "assets": list(Asset.objects.filter(household=household).select_related("project")),
    }


def village_io(user: Any, village: Region) -> list[dict[str, Any]]:
    """投入产出清 for a village, by year: payments to its households, projects serving it,
    and households that exited."""
    cond = under(village.path)
    paid = dict(
        Disbursement.objects.filter(cond)
        .values("year")
        .annotate(s=Sum("amount"))
        .values_list("year", "s")
    )
    served = {}
    for p in Project.objects.filter(areas__region=village).values("year").annotate(n=Count("id")):
        served[p["year"]] = p["n"]
    exited = dict(
        StatusChange.objects.filter(
            under(village.path, path_field="household__region_path"), to_status="exited"
        )
        .values("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
    )
    years = sorted({*paid, *served, *exited})
    return [
        {
            "year": y,
            "paid": Decimal(paid.get(y) or 0),
            "projects": served.get(y, 0),
            "exited": exited.get(y, 0),
        }
        for y in years
    ]
