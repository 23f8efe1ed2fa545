"""The access matrix: every page and API endpoint × every role (plus anonymous and a user bound to
no region) × a household in the user's scope and one outside it.

For each cell it asserts the status code (login redirect / 401, 403 without the permission, 404
outside the scope, 200 inside), that nothing of the out-of-scope household appears anywhere in the
answer (list, count, export, API), and that roles without the personal-data permission never see
an unmasked ID number, phone, bank account, birth date or health detail. The expected status is
derived from ``lantu.accounts.roles.GRANTS``, so a change of grants changes the matrix.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from lantu.accounts.roles import GRANTS, Perm, Role
from lantu.registry.models import Member
from tests.factories import make_user, make_world
from tests.projects.factories import make_projects

ANON = "anonymous"
UNBOUND = "unbound"  # holds every role but is bound to no region: sees nothing
NOROLE = "norole"  # bound to the county but holding no role: refused everywhere (403)
WHO = [*(r.value for r in Role), ANON, UNBOUND, NOROLE]
TARGETS = ["inside", "outside"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    api: bool
    perm: Perm
    url: Callable[[dict[str, Any], Any], str]
    scoped: bool = True  # outside the scope: 404 (else 200 with nothing of it)


def _village(w, hh):
    return hh.region.code


def _township(w, hh):
    return hh.region.parent.code


def _head_id(w, hh):
    return Member.objects.get(household=hh, relation="head").id_number


def _run(w, hh):
    return w["runs"][hh.pk]


def _county(w, hh):
    return hh.region_path.strip("/").split("/")[2]


def _assessment(w, hh):
    """An assessment of the household's county (no sample: the downloads are still real)."""
    from lantu.exits.models import Assessment
    from lantu.regions.models import Region

    county = Region.objects.get(code=_county(w, hh))
    a, _ = Assessment.objects.get_or_create(
        county=county, year=2020, defaults={"region_path": county.path, "seed": 1}
    )
    return a.pk


def _list(**q):
    def url(w, hh):
        from urllib.parse import urlencode

        params = {k: f(w, hh) for k, f in q.items()}
        return reverse("registry:household_list") + "?" + urlencode(params)

    return url


def _project(w, hh):
    return w["projects"][hh.pk].pk


def _county(w, hh):
    return hh.region.parent.parent.code


# The project room (lantu.projects): pages under /projects/ and the API under /api/projects.
PROJECT_ENDPOINTS = [
    Endpoint("projects.library", False, Perm.VIEW, lambda w, hh: "/projects/", False),
    Endpoint("projects.library.region", False, Perm.VIEW,
             lambda w, hh: f"/projects/?region={_county(w, hh)}"),
    Endpoint("projects.library.xlsx", False, Perm.EXPORT,
             lambda w, hh: "/projects/?format=xlsx", False),
    Endpoint("projects.project", False, Perm.VIEW, lambda w, hh: f"/projects/{_project(w, hh)}/"),
    Endpoint("projects.funds", False, Perm.VIEW, lambda w, hh: "/projects/funds/", False),
    Endpoint("projects.roadmap", False, Perm.VIEW,
             lambda w, hh: f"/projects/roadmap/{_township(w, hh)}/"),
    Endpoint("projects.village", False, Perm.VIEW,
             lambda w, hh: f"/projects/village/{_village(w, hh)}/?year=2021"),
    Endpoint("projects.village.xlsx", False, Perm.EXPORT,
             lambda w, hh: f"/projects/village/{_village(w, hh)}/?year=2021&format=xlsx"),
    Endpoint("projects.household", False, Perm.VIEW,
             lambda w, hh: f"/projects/household/{hh.pk}/"),
    Endpoint("projects.findings", False, Perm.VIEW, lambda w, hh: "/projects/findings/", False),
    Endpoint("projects.import", False, Perm.IMPORT, lambda w, hh: "/projects/import/", False),
    Endpoint("projects.project_new", False, Perm.EDIT, lambda w, hh: "/projects/new/", False),
    Endpoint("projects.import_template", False, Perm.IMPORT,
             lambda w, hh: "/projects/import/template/disbursements.xlsx", False),
    Endpoint("api.projects", True, Perm.VIEW, lambda w, hh: "/api/projects", False),
    Endpoint("api.project", True, Perm.VIEW, lambda w, hh: f"/api/projects/{_project(w, hh)}"),
    Endpoint("api.project.payments", True, Perm.VIEW,
             lambda w, hh: f"/api/projects/{_project(w, hh)}/payments"),
    Endpoint("api.projects.findings", True, Perm.VIEW, lambda w, hh: "/api/projects/findings",
             False),
]  # fmt: skip

ENDPOINTS = [
    Endpoint(
        "page.list", False, Perm.VIEW, lambda w, hh: reverse("registry:household_list"), False
    ),
    Endpoint("page.list.region", False, Perm.VIEW, _list(region=_village)),
    Endpoint("page.list.search_id", False, Perm.VIEW, _list(q=_head_id), False),
    Endpoint(
        "page.list.search_no", False, Perm.VIEW, _list(q=lambda w, hh: hh.household_no), False
    ),
    Endpoint(
        "page.detail",
        False,
        Perm.VIEW,
        lambda w, hh: reverse("registry:household_detail", args=[hh.pk]),
    ),
    Endpoint(
        "page.export", False, Perm.EXPORT, lambda w, hh: reverse("registry:household_export"), False
    ),
    Endpoint(
        "page.export.region",
        False,
        Perm.EXPORT,
        lambda w, hh: reverse("registry:household_export") + f"?region={_village(w, hh)}",
    ),
    Endpoint("page.import", False, Perm.IMPORT, lambda w, hh: reverse("registry:import"), False),
    Endpoint(
        "page.import.template",
        False,
        Perm.IMPORT,
        lambda w, hh: reverse("registry:import_template"),
        False,
    ),
    Endpoint("page.users", False, Perm.MANAGE_USERS, lambda w, hh: reverse("users"), False),
    # The admin's precision report (figures only; its export: tests/precision/test_page.py).
    Endpoint(
        "page.precision", False, Perm.MANAGE_USERS, lambda w, hh: reverse("precision:index"), False
    ),
    Endpoint("api.regions", True, Perm.VIEW, lambda w, hh: "/api/regions?limit=500", False),
    Endpoint(
        "api.regions.children",
        True,
        Perm.VIEW,
        lambda w, hh: f"/api/regions/{_township(w, hh)}/children",
    ),
    Endpoint("api.households", True, Perm.VIEW, lambda w, hh: "/api/households", False),
    Endpoint(
        "api.households.region",
        True,
        Perm.VIEW,
        lambda w, hh: f"/api/households?region={_village(w, hh)}",
    ),
    Endpoint(
        "api.households.search_id",
        True,
        Perm.VIEW,
        lambda w, hh: f"/api/households?q={_head_id(w, hh)}",
        False,
    ),
    Endpoint("api.household", True, Perm.VIEW, lambda w, hh: f"/api/households/{hh.pk}"),
    # The work home page, statistics and background jobs (issue 18).
    Endpoint("page.home", False, Perm.VIEW, lambda w, hh: "/", False),
    Endpoint("page.stats", False, Perm.VIEW, lambda w, hh: reverse("stats:dashboard"), False),
    Endpoint("page.stats.region", False, Perm.VIEW, lambda w, hh: f"/stats/r/{_village(w, hh)}/"),
    Endpoint(
        "page.stats.xlsx",
        False,
        Perm.EXPORT,
        lambda w, hh: f"/stats/r/{_village(w, hh)}/dashboard.xlsx",
    ),
    Endpoint(
        "page.stats.chart_xlsx",
        False,
        Perm.EXPORT,
        lambda w, hh: f"/stats/r/{_village(w, hh)}/chart/trend.xlsx?year=2020",
    ),
    Endpoint(
        "page.stats.report",
        False,
        Perm.EXPORT,
        lambda w, hh: f"/stats/r/{_village(w, hh)}/report/2020-6.xlsx",
    ),
    Endpoint("page.stats.headline", False, Perm.VIEW, lambda w, hh: "/stats/headline/", False),
    Endpoint(
        "page.stats.headline.region",
        False,
        Perm.VIEW,
        lambda w, hh: f"/stats/headline/?region={_village(w, hh)}",
    ),
    Endpoint("page.stats.indicators", False, Perm.VIEW, lambda w, hh: "/stats/indicators/", False),
    Endpoint("page.jobs", False, Perm.VIEW, lambda w, hh: reverse("jobs:runs"), False),
    Endpoint("page.jobs.run", False, Perm.EXPORT, lambda w, hh: f"/jobs/{_run(w, hh)}/"),
    Endpoint(
        "page.jobs.progress", False, Perm.EXPORT, lambda w, hh: f"/jobs/{_run(w, hh)}/progress/"
    ),
    Endpoint("page.jobs.result", False, Perm.EXPORT, lambda w, hh: f"/jobs/{_run(w, hh)}/result/"),
    Endpoint("api.stats", True, Perm.VIEW, lambda w, hh: f"/api/stats/{_village(w, hh)}"),
    Endpoint("api.jobs", True, Perm.VIEW, lambda w, hh: "/api/jobs", False),
    Endpoint("api.job", True, Perm.EXPORT, lambda w, hh: f"/api/jobs/{_run(w, hh)}"),
    Endpoint("api.members", True, Perm.VIEW, lambda w, hh: f"/api/households/{hh.pk}/members"),
    # the assistance room (lantu.assistance): pages, exports and API routes; year 2020, when both
    # households are exited in the transition and the world's assistance run found gaps in both
    *[
        Endpoint(
            f"page.assistance.{name}",
            False,
            Perm.VIEW,
            lambda w, hh, n=name: reverse(f"assistance:{n}") + "?year=2020",
            False,
        )
        for name in ("overview", "gaps", "cadres", "teams")
    ],
    *[
        Endpoint(
            f"page.assistance.{name}.region",
            False,
            Perm.VIEW,
            lambda w, hh, n=name: (
                reverse(f"assistance:{n}") + f"?year=2020&region={_village(w, hh)}"
            ),
        )
        for name in ("overview", "gaps", "cadres", "teams")
    ],
    Endpoint(
        "page.assistance.mine", False, Perm.ASSIST, lambda w, hh: reverse("assistance:mine"), False
    ),
    *[
        Endpoint(
            f"page.assistance.export.{what}",
            False,
            Perm.EXPORT,
            lambda w, hh, x=what: reverse("assistance:export", args=[x]) + "?year=2020",
            False,
        )
        for what in ("coverage", "gaps", "cadres", "teams")
    ],
    Endpoint(
        "page.assistance.export.gaps.region",
        False,
        Perm.EXPORT,
        lambda w, hh: (
            reverse("assistance:export", args=["gaps"]) + f"?year=2020&region={_village(w, hh)}"
        ),
    ),
    Endpoint(
        "page.assistance.import",
        False,
        Perm.IMPORT,
        lambda w, hh: reverse("assistance:import"),
        False,
    ),
    Endpoint(
        "page.assistance.import_template",
        False,
        Perm.IMPORT,
        lambda w, hh: reverse("assistance:import_template", args=["plans"]),
        False,
    ),
    Endpoint(
        "api.assistance.household",
        True,
        Perm.VIEW,
        lambda w, hh: f"/api/assistance/households/{hh.pk}",
    ),
    Endpoint(
        "api.assistance.coverage",
        True,
        Perm.VIEW,
        lambda w, hh: "/api/assistance/coverage?year=2020",
        False,
    ),
    Endpoint(
        "api.assistance.coverage.region",
        True,
        Perm.VIEW,
        lambda w, hh: f"/api/assistance/coverage?year=2020&region={_township(w, hh)}",
    ),
    Endpoint(
        "api.assistance.gaps",
        True,
        Perm.VIEW,
        lambda w, hh: "/api/assistance/gaps?year=2020",
        False,
    ),
    Endpoint(
        "api.assistance.cadres", True, Perm.VIEW, lambda w, hh: "/api/assistance/cadres", False
    ),
    # the plan form (一户一策): the household's own page, for roles that assist; a cadre's only
    # for the households paired with them (the world's cadre user: the inside one)
    Endpoint("page.assistance.plan", False, Perm.ASSIST,
             lambda w, hh: reverse("assistance:plan", args=[hh.pk]) + "?year=2020"),
    # The exit room (lantu/exits): a county's dossier is seen from the county, above or inside.
    Endpoint("page.exits", False, Perm.VIEW, lambda w, hh: reverse("exits:index"), False),
    Endpoint("page.exits.county", False, Perm.VIEW,
             lambda w, hh: reverse("exits:county", args=[_county(w, hh)])),
    Endpoint("page.exits.planner", False, Perm.VIEW,
             lambda w, hh: reverse("exits:county", args=[_county(w, hh)]) + "?margin=0.01"),
    Endpoint("page.exits.dossier_pdf", False, Perm.VIEW,
             lambda w, hh: reverse("exits:dossier_pdf", args=[_county(w, hh)])),
    Endpoint("page.exits.list_xlsx", False, Perm.EXPORT, lambda w, hh: reverse(
        "exits:download", args=[_assessment(w, hh), "list.xlsx"])),
    Endpoint("page.exits.list_pdf", False, Perm.EXPORT, lambda w, hh: reverse(
        "exits:download", args=[_assessment(w, hh), "list.pdf"])),
    Endpoint("page.exits.form_xlsx", False, Perm.EXPORT, lambda w, hh: reverse(
        "exits:download", args=[_assessment(w, hh), "form.xlsx"])),
    Endpoint("api.exits.county", True, Perm.VIEW,
             lambda w, hh: f"/api/exits/counties/{_county(w, hh)}"),
    Endpoint("api.exits.assessment", True, Perm.VIEW,
             lambda w, hh: f"/api/exits/assessments/{_assessment(w, hh)}"),
    Endpoint("api.exits.plan", True, Perm.VIEW, lambda w, hh: "/api/exits/plan?margin=0.02",
             False),
    *PROJECT_ENDPOINTS,
]  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        w = make_world()
        w["projects"] = make_projects(w)
        w["users"][UNBOUND] = make_user("unbound", w["regions"]["530822000000"], *list(Role))
        w["users"][UNBOUND].region = None
        w["users"][UNBOUND].save()
        w["users"][NOROLE] = make_user("norole", w["regions"]["530822000000"])
        w["secrets"] = {name: _secrets(w[name]) for name in TARGETS}
        w["runs"] = {w[name].pk: _export_run(w[name]) for name in TARGETS}
        from lantu.stats.services import refresh

        refresh(actor=None)
        from lantu.assistance import gaps

        gaps.run(actor=None, year=2020)  # the assistance work queue and 六清 of both counties
        yield w
        transaction.set_rollback(True)


def _export_run(hh) -> int:
    """A finished export run for the household's village, with its result file."""
    from lantu.jobs.models import Run
    from lantu.jobs.runner import result_dir

    run = Run.objects.create(kind="registry.export", region_path=hh.region_path,
                             status="succeeded", result_file="r.txt", result_name="r.txt",
                             result_type="text/plain")  # fmt: skip
    result_dir(run.pk).mkdir(parents=True, exist_ok=True)
    (result_dir(run.pk) / "r.txt").write_text("ok")
    return run.pk


def _secrets(hh) -> dict[str, list[str]]:
    members = list(Member.objects.filter(household=hh))
    return {
        "identity": [hh.household_no, hh.bank_account] + [m.id_number for m in members],
        "personal": [m.id_number for m in members]
        + [m.phone for m in members if m.phone]
        + [hh.bank_account]
        + [m.birth_date.isoformat() for m in members],
        "health": ["长期慢性病", "chronic illness", '"chronic"'],
    }


def _text(resp) -> str:
    if resp.get("Content-Type", "").startswith("application/pdf"):
        assert resp.content.startswith(b"%PDF")
        return ""  # checked for leaks through the page it prints (the same context)
    if resp.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        # Consumed whole, a streamed response is closed by the test client (an explicit close()
        # would also close the database connection, through request_finished).
        data = b"".join(resp.streaming_content) if resp.streaming else resp.content
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        cells = (c for ws in book for row in ws.iter_rows(values_only=True) for c in row)
        return "\n".join("" if c is None else str(c) for c in cells)
    body = (b"".join(resp.streaming_content) if resp.streaming else resp.content).decode()
    return (
        json.dumps(json.loads(body), ensure_ascii=False)
        if resp.get("Content-Type", "").startswith("application/json")
        else body
    )


def _without_echo(text: str, url: str) -> str:
    """What the user typed in the search box comes back in the form and the links: not a leak."""
    from urllib.parse import parse_qs, urlsplit

    for q in parse_qs(urlsplit(url).query).get("q", []):
        text = text.replace(f'value="{q}"', "").replace(f"q={q}", "")
    return text


def in_scope_200(ep: Endpoint, who: str) -> bool:
    return who != UNBOUND and ep.perm in GRANTS[Role(who)]


def _expected(ep: Endpoint, who: str, target: str) -> int:
    if who == ANON:
        return 401 if ep.api else 302
    perms = set(Perm) if who == UNBOUND else set() if who == NOROLE else GRANTS[Role(who)]
    if ep.perm not in perms:
        return 403
    in_scope = target == "inside" and who != UNBOUND
    if ep.scoped and not in_scope:
        return 404
    return 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ep", "who", "target"),
    list(itertools.product(ENDPOINTS, WHO, TARGETS)),
    ids=lambda v: v.name if isinstance(v, Endpoint) else str(v),
)
def test_access(client, world, ep, who, target):
    if who != ANON:
        client.force_login(world["users"][who])
    hh = world[target]
    url = ep.url(world, hh)
    resp = client.get(url)
    expected = _expected(ep, who, target)
    if expected == 200 and resp.status_code == 503 and b"fonts-noto-cjk" in resp.content:
        from lantu.procedures.pdf import cjk_font

        assert cjk_font() is None
        pytest.skip("no CJK font (fonts-noto-cjk): the PDF is not made, the page says so")
    assert resp.status_code == expected, resp.content[:300]
    if expected == 302:
        assert resp["Location"].startswith(reverse("login"))
    if expected != 200:
        return
    text = _without_echo(_text(resp), url)
    for secret in world["secrets"]["outside"]["identity"]:
        assert secret not in text, f"out-of-scope {secret} leaked"
    masked = who != UNBOUND and Perm.PERSONAL_DATA not in GRANTS[Role(who)]
    inside = world["secrets"]["inside"]
    if masked:
        for secret in inside["personal"] + inside["health"]:
            assert secret not in text, f"unmasked {secret} shown to {who}"
    shows_people = ep.name in (
        "page.detail",
        "page.export",
        "page.export.region",
        "api.members",
    )
    if ep.name.startswith(("page.assistance.gaps", "api.assistance.gaps")) and in_scope_200(
        ep, who
    ):
        assert world["inside"].household_no in text  # the check above can fail: it is listed
    if not masked and shows_people and who != UNBOUND:
        assert inside["personal"][0] in text  # the check above can fail: the data is there
    if not masked and ep.name in ("projects.project", "api.project.payments") and who != UNBOUND:
        assert world["inside"].bank_account in text  # payments show the account to these roles


@pytest.mark.django_db
@pytest.mark.parametrize("who", [r.value for r in Role if Perm.VIEW in GRANTS[r]])
def test_counts_never_include_out_of_scope(client, world, who):
    client.force_login(world["users"][who])
    body = client.get(reverse("registry:household_list")).content.decode()
    assert "共 1 户" in body
    data = client.get("/api/regions?limit=500").json()
    assert all(r["code"].startswith("530822") for r in data["items"])


# What the matrix covers, checked against what the code serves: a new registry page or API route
# fails here until it has its row in ENDPOINTS.
PAGES_COVERED = {
    "household_list",
    "household_detail",
    "household_export",
    "import",
    "import_template",
}
PAGES_TESTED_ELSEWHERE = {
    "import_errors"
}  # needs an upload first: tests/registry/test_views_import
API_COVERED = {
    "/api/regions",
    "/api/regions/{code}/children",
    "/api/households",
    "/api/households/{pk}",
    "/api/households/{pk}/members",
}


STATS_JOBS_COVERED = {
    "stats:dashboard", "stats:region", "stats:xlsx", "stats:chart_xlsx", "stats:report",
    "stats:headline", "stats:indicators", "jobs:runs", "jobs:run", "jobs:progress", "jobs:result",
}  # fmt: skip
# POST-only (start, re-run): tests/jobs/test_pages.py, with permission and scope.
STATS_JOBS_ELSEWHERE = {"jobs:start", "jobs:rerun"}


def test_matrix_covers_every_stats_and_jobs_page_and_api_route():
    from lantu.api.app import api
    from lantu.jobs import urls as job_urls
    from lantu.stats import urls as stats_urls

    names = {f"stats:{p.name}" for p in stats_urls.urlpatterns}
    names |= {f"jobs:{p.name}" for p in job_urls.urlpatterns}
    assert names == STATS_JOBS_COVERED | STATS_JOBS_ELSEWHERE
    paths = {
        p for p in api.get_openapi_schema()["paths"] if p.startswith(("/api/stats", "/api/jobs"))
    }
    assert paths == {"/api/stats/{code}", "/api/jobs", "/api/jobs/{pk}"}


ASSISTANCE_PAGES = {
    "overview",
    "gaps",
    "cadres",
    "teams",
    "mine",
    "export",
    "import",
    "import_template",
    "plan",
}
ASSISTANCE_API = {
    "/api/assistance/households/{pk}",
    "/api/assistance/coverage",
    "/api/assistance/gaps",
    "/api/assistance/cadres",
}
ASSISTANCE_API_TESTED_ELSEWHERE = {"/api/assistance/visits"}  # a POST: tests/assistance/test_api


def test_matrix_covers_every_assistance_page_and_api_route():
    from lantu.api.app import api
    from lantu.assistance import urls

    assert {p.name for p in urls.urlpatterns} == ASSISTANCE_PAGES
    paths = set(api.get_openapi_schema()["paths"])
    ours = {p for p in paths if p.startswith("/api/assistance")}
    assert ours == ASSISTANCE_API | ASSISTANCE_API_TESTED_ELSEWHERE


EXITS_PAGES = {"index", "county", "dossier_pdf", "download"}
# POST only (the matrix GETs): tests/exits/test_pages.py and test_api.py
EXITS_POSTS = {"draw", "open", "import", "estimate", "rosters"}
EXITS_API = {"/api/exits/counties/{code}", "/api/exits/assessments/{pk}", "/api/exits/plan"}
EXITS_API_POSTS = {
    "/api/exits/counties/{code}/assessments",
    "/api/exits/assessments/{pk}/estimate",
    "/api/exits/counties/{code}/exit-cases",
}


def test_matrix_covers_every_exits_page_and_api_route():
    from lantu.api.app import api
    from lantu.exits import urls

    assert {p.name for p in urls.urlpatterns} == EXITS_PAGES | EXITS_POSTS
    paths = set(api.get_openapi_schema()["paths"])
    assert {p for p in paths if p.startswith("/api/exits")} == EXITS_API | EXITS_API_POSTS


def test_matrix_covers_every_registry_page_and_api_route():
    from lantu.api.app import api
    from lantu.registry import urls

    assert {p.name for p in urls.urlpatterns} == PAGES_COVERED | PAGES_TESTED_ELSEWHERE
    paths = set(api.get_openapi_schema()["paths"])
    ours = {p for p in paths if p.startswith(("/api/regions", "/api/households"))}
    assert ours == API_COVERED


# The monitoring room's pages and API (tests/monitoring/matrix.py builds a ticket in each county
# and lists the endpoints; the public ones are checked for anyone's personal data).
from tests.monitoring.matrix import (  # noqa: E402
    MONITORING_ENDPOINTS,
    build_monitoring,
    check_monitoring_access,
    check_public_pages,
    monitoring_routes_covered,
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ep", "who", "target"),
    list(itertools.product(MONITORING_ENDPOINTS, WHO, TARGETS)),
    ids=lambda v: v.name if isinstance(v, Endpoint) else str(v),
)
def test_monitoring_access(client, mon_world, ep, who, target):
    world = mon_world
    check_monitoring_access(client, world, ep, who, target, _expected, ANON, UNBOUND)


@pytest.mark.django_db
def test_monitoring_public_pages_show_nobody_elses_data(client, mon_world):
    check_public_pages(client, mon_world)


@pytest.fixture(scope="module")
def mon_world(world, django_db_blocker):
    """The world with a ticket and a visit round in each county (in the world's transaction)."""
    with django_db_blocker.unblock():
        build_monitoring(world)
    return world


def test_matrix_covers_every_monitoring_page_and_api_route():
    monitoring_routes_covered()


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("target", TARGETS)
def test_change_request_page(client, world, who, target):
    """Change requests are entered by the village (lantu/procedures/kinds/change_request.yaml):
    every role bound to the county is refused (403), the administrator enters in scope (200)
    and gets 404 outside it; nobody sees the out-of-scope household."""
    if who != ANON:
        client.force_login(world["users"][who])
    hh = world[target]
    resp = client.get(reverse("procedures:change_request", args=[hh.pk]))
    if who == ANON:
        assert resp.status_code == 302
        return
    perms = set(Perm) if who == UNBOUND else set() if who == NOROLE else GRANTS[Role(who)]
    if Perm.EDIT not in perms:
        expected = 403
    elif who == UNBOUND or target == "outside":
        expected = 404
    else:
        expected = 200 if who == Role.ADMIN else 403
    assert resp.status_code == expected
    if expected == 200:
        assert world["secrets"]["outside"]["identity"][0] not in resp.content.decode()


PROJECT_PAGES_TESTED_ELSEWHERE = {  # POST-only or need an upload or a lifecycle first
    "project_act",
    "import_errors",
}  # tests/projects/test_pages


def test_matrix_covers_every_project_page_and_api_route():
    from lantu.api.app import api
    from lantu.projects import urls

    covered = {
        "library",
        "project",
        "funds",
        "roadmap",
        "village",
        "household_io",
        "work_queue",
        "import",
        "import_template",
        "project_new",
    }
    assert {p.name for p in urls.urlpatterns} == covered | PROJECT_PAGES_TESTED_ELSEWHERE
    paths = {p for p in api.get_openapi_schema()["paths"] if p.startswith("/api/projects")}
    assert paths == {
        "/api/projects",
        "/api/projects/findings",
        "/api/projects/{pk}",
        "/api/projects/{pk}/payments",
        "/api/projects/imports/{table}",
    }


# The supervision room's pages (tests/supervision/matrix.py builds a discrepancy, an inspection
# with its finding and a published 红白榜 in each county).
from tests.supervision.matrix import (  # noqa: E402
    SUPERVISION_ENDPOINTS,
    build_supervision,
    check_public,
    supervision_routes_covered,
)


@pytest.fixture(scope="module")
def sup_world(world, django_db_blocker):
    with django_db_blocker.unblock():
        build_supervision(world)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ep", "who", "target"),
    list(itertools.product(SUPERVISION_ENDPOINTS, WHO, TARGETS)),
    ids=lambda v: v.name if isinstance(v, Endpoint) else str(v),
)
def test_supervision_access(client, sup_world, ep, who, target):
    _check_access(client, sup_world, ep, who, target)


def _check_access(client, world, ep, who, target):
    if who != ANON:
        client.force_login(world["users"][who])
    url = ep.url(world, world[target])
    resp = client.get(url)
    expected = _expected(ep, who, target)
    assert resp.status_code == expected, (url, resp.content[:300])
    if expected != 200:
        return
    text = _text(resp)
    for secret in world["secrets"]["outside"]["identity"]:
        assert secret not in text, f"out-of-scope {secret} leaked"
    for secret in world["secrets"]["inside"]["personal"] + world["secrets"]["inside"]["health"]:
        assert secret not in text, f"personal {secret} shown on a supervision page"


@pytest.mark.django_db
def test_supervision_public_pages_show_nobodys_data(client, sup_world):
    check_public(client, sup_world)


def test_matrix_covers_every_supervision_page():
    supervision_routes_covered()
