"""Cases about a village or a county (their exit) as subjects (``"village:<code>"``,
``"county:<code>"``, ``lantu.procedures.subjects``): who reads them, as a matrix.

Every read of a case — the case page, the API's case, the lists (``queries.cases``,
``queries.waiting``), the county's exit dossier, and acting on it — is tried by a user at every
level of the tree, inside and outside the subject's region, for a village's case and a county's.
A region subject's case is visible exactly to the users whose region scope covers the region
(the region itself or above it): not to a township or village inside a county for the county's
case, not to the other village, not to the other county. A second matrix tries every role bound
to the county on the county's case (and a user bound to no region, and anonymous)."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from lantu.accounts import scope
from lantu.accounts.roles import GRANTS, Perm, Role
from lantu.exits import cases as exit_cases
from lantu.procedures import queries, subjects
from lantu.procedures.models import Case
from tests.factories import COUNTY, OTHER_COUNTY, make_user
from tests.procedures.conftest import OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE2, small_tree

pytestmark = pytest.mark.django_db

# Where a user sits, with a role of that level that reads cases (every one holds Perm.VIEW).
WHERE = {
    "province": ("530000000000", Role.PROVINCE_APPROVAL),
    "prefecture": ("530800000000", Role.PREFECTURE_REVIEW),
    "county": (COUNTY, Role.COUNTY_APPROVAL),
    "other_county": (OTHER_COUNTY, Role.COUNTY_APPROVAL),
    "township": (TOWNSHIP, Role.TOWNSHIP_REVIEW),
    "village": (VILLAGE, Role.VILLAGE_ENTRY),
    "village2": (VILLAGE2, Role.VILLAGE_ENTRY),
    "other_village": (OTHER_VILLAGE, Role.VILLAGE_ENTRY),
}
# The subject's region, and who covers it.
SUBJECTS = {
    "village_exit": (VILLAGE, {"province", "prefecture", "county", "township", "village"}),
    "county_exit": (COUNTY, {"province", "prefecture", "county"}),
}


@pytest.fixture
def region_cases():
    regions = small_tree()
    users = {w: make_user(f"u-{w}", regions[code], role) for w, (code, role) in WHERE.items()}
    [vc] = exit_cases.open(actor=None, kind="village_exit", regions=[regions[VILLAGE]], year=2019)
    [cc] = exit_cases.open(actor=None, kind="county_exit", regions=[regions[COUNTY]], year=2019)
    return {"regions": regions, "users": users, "cases": {"village_exit": vc, "county_exit": cc}}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(("who", "kind"), list(itertools.product(WHERE, SUBJECTS)))
def test_a_region_case_is_read_exactly_from_its_region_and_above(region_cases, who, kind):
    user = region_cases["users"][who]
    case = region_cases["cases"][kind]
    code, covered_by = SUBJECTS[kind]
    visible = who in covered_by
    assert case.subject == f"{kind.split('_')[0]}:{code}"
    assert case.region_path == region_cases["regions"][code].path
    c = _client(user)
    # The case page and the API's case.
    page = c.get(reverse("procedures:case", args=[case.pk]))
    assert page.status_code == (200 if visible else 404)
    api = c.get(f"/api/procedures/cases/{case.pk}")
    assert api.status_code == (200 if visible else 404)
    if visible:
        name = region_cases["regions"][code].name
        assert name in page.content.decode() and api.json()["head_name"] == name
        assert api.json()["household_id"] is None
    # The lists.
    assert (case.pk in set(queries.cases(user).values_list("pk", flat=True))) is visible
    assert any(r["kind"] == kind for r in queries.waiting(user)) is visible
    # The county's exit dossier lists the case only to those who may read it (the dossier itself
    # is seen from inside the county too, and from above; not from the other county).
    dossier = c.get(reverse("exits:county", args=[COUNTY]))
    inside_or_above = who not in ("other_county", "other_village")
    assert dossier.status_code == (200 if inside_or_above else 404)
    if inside_or_above:
        link = reverse("procedures:case", args=[case.pk])
        assert (f'href="{link}"' in dossier.content.decode()) is visible
    # Acting: outside, the case does not exist (404); inside, the stale version is refused.
    act = c.post(f"/api/procedures/cases/{case.pk}/act", {"version": 0, "action": "approve"},
                 content_type="application/json")  # fmt: skip
    assert act.status_code == (409 if visible else 404)


ANON, UNBOUND = "anonymous", "unbound"


@pytest.mark.parametrize("who", [*(r.value for r in Role), ANON, UNBOUND])
def test_every_role_on_the_county_case(region_cases, who):
    """Bound to the county: the roles with VIEW read it (200), the others are refused (403); a
    cadre, who sees only the households paired with them, does not see it (404); a user bound to
    no region sees nothing (404); anonymous is sent to log in."""
    regions, case = region_cases["regions"], region_cases["cases"]["county_exit"]
    url = reverse("procedures:case", args=[case.pk])
    if who == ANON:
        assert Client().get(url).status_code == 302
        return
    if who == UNBOUND:
        user = make_user("u-unbound", regions[COUNTY], *(r.value for r in Role))
        user.region = None
        user.save()
        expected = 404
    else:
        user = make_user(f"u-{who}", regions[COUNTY], who)
        if Perm.VIEW not in GRANTS[Role(who)]:
            expected = 403
        elif who in scope.NARROWINGS:
            expected = 404
        else:
            expected = 200
    assert _client(user).get(url).status_code == expected


def test_subjects_are_listed_where_they_are_worked(region_cases):
    """Village and county exits are worked in the procedures' pages; projects and findings in
    their rooms' pages. A subject's type is its kind's: the engine refuses any other."""
    listed = Case.objects.filter(subjects.listed())
    assert set(listed.values_list("kind", flat=True)) == {"village_exit", "county_exit"}
    assert subjects.is_listed("village:1") and subjects.is_listed("county:1")
    assert not subjects.is_listed("project:1") and not subjects.is_listed("finding:1")
    vc = region_cases["cases"]["village_exit"]
    assert subjects.link(vc) == ("", "")
    cc = region_cases["cases"]["county_exit"]
    assert subjects.link(cc)[0] == reverse("exits:county", args=[COUNTY])
    assert subjects.place(cc.subject) == region_cases["regions"][COUNTY]
