"""Every read of the registry, always through the one scope filter (``lantu.accounts.scope``).

Views, exports and API handlers call these functions and never the ORM. Each function takes the
acting user first; a household outside the user's subtree raises ``OutOfScope`` (a 404, the same
answer as for a household that does not exist).

Speed on a province-sized registry (a million members) comes from three rules:
- every filter is an indexed match: the scope and region filters are prefixes of
  ``region_path``; an ID-number search is one exact lookup on ``Member.id_number``; a
  household number (or its head) a range on its unique index, its tail a scan of the scoped
  rows; a name
  search is a prefix scan of the index on ``Member.name`` (``_name_prefix``);
- lists are ordered by ``(region_path, id)``, the order of the ``region_path`` index itself;
- counts are bounded (``lantu.core.paging``): a request never counts the whole registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from lantu.accounts.scope import get_scoped, scope_path, scoped, under
from lantu.core.errors import OutOfScope
from lantu.ledger.models import Event
from lantu.regions.models import Region
from lantu.registry.ids import check_id, normalise
from lantu.registry.masking import sees_personal_data
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange

ORDER = ("region_path", "id")


@dataclass(frozen=True)
class HouseholdFilter:
    """The filters of the household list, the export and the API (all optional)."""

    region: str = ""  # a region code inside the user's scope
    status: str = ""
    household_type: str = ""
    cause: str = ""  # main cause of poverty (national code 1–12)
    year: int | None = None  # the year of the facts the cause is read from
    registration_year: int | None = None
    q: str = ""  # a name, an ID number or a household number


@dataclass(frozen=True)
class Search:
    """How the search box's text was understood."""

    # "", "id", "number" (a household number or part of one), "number_or_id", "name", "refused"
    kind: str
    value: str = ""
    warning: tuple[str, str] | None = None  # (zh, en) when an ID number does not check


ID_REFUSED = (
    "您的角色看不到完整的身份证号，因此不能按身份证号查询；请按姓名或户编号查询",
    "your role does not see full ID numbers, so it cannot search by one: "
    "search by name or household number",
)
# Household numbers are the village code and a 4-digit sequence (16 digits); ID numbers are 15
# (first generation) or 18 characters. A shorter run of digits is the tail of a household number
# (what a cadre reads off a paper file), a longer one its head (the village code and more).
# 17 characters is an ID number with one digit missing (answered with the check's message).
# 15 digits is both the head of a household number and a first-generation ID number: for a user
# who sees IDs, the household numbers first, then the ID; for one who does not, numbers only.
ID_LENGTHS = (17, 18)
LEGACY_LENGTH = 15
TAIL_DIGITS = 5


def parse_search(text: str, *, personal: bool = True) -> Search:
    """What the text is. ``personal``: may the user see full ID numbers? A user who may not is
    never answered a full-ID search, hit or miss: an answer would tell whether a guessed number
    is in the registry, and the masked number they see (region code, last two characters)
    leaves few enough guesses (birth date × sequence, with the check character) for a script."""
    raw = (text or "").strip()
    if not raw:
        return Search("")
    number = normalise(raw)
    digits = number[:-1].isdigit() and (number[-1].isdigit() or number[-1] == "X")
    if len(number) == LEGACY_LENGTH and number.isdigit() and personal:
        return Search("number_or_id", number)
    if digits and len(number) in ID_LENGTHS:
        if not personal:
            return Search("refused", warning=ID_REFUSED)
        checked = check_id(number)
        return Search("id", checked.number, checked.error)
    if number.isdigit():
        return Search("number", number)
    return Search("name", raw)


# -- regions ------------------------------------------------------------------------------------


def scope_root(user: Any) -> Region | None:
    path = scope_path(user)
    return user.region if path is not None else None


def region(user: Any, code: str) -> Region:
    """A region inside the user's subtree, or OutOfScope."""
    return get_scoped(Region.objects.all(), user, path_field="path", code=code)


def regions(user: Any) -> QuerySet[Region]:
    """The user's whole subtree (root first, then by code)."""
    return scoped(Region.objects.select_related("parent"), user, path_field="path").order_by("path")


def region_children(user: Any, code: str | None = None) -> QuerySet[Region]:
    """The children of a node in scope; without a code, the user's own node."""
    if not code:
        root = scope_root(user)
        return Region.objects.filter(pk=root.pk) if root else Region.objects.none()
    parent = region(user, code)
    return Region.objects.filter(parent=parent).select_related("parent").order_by("code")


def breadcrumb(user: Any, node: Region | None) -> list[Region]:
    """The path from the user's own node down to ``node``; nothing above the user's scope."""
    root = scope_root(user)
    if root is None:
        return []
    node = node or root
    return [r for r in node.ancestors() if r.path.startswith(root.path)]


# -- households ---------------------------------------------------------------------------------


def _apply(qs: QuerySet[Household], user: Any, f: HouseholdFilter) -> QuerySet[Household]:
    if f.region:
        qs = qs.filter(under(region(user, f.region).path))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.household_type:
        qs = qs.filter(household_type=f.household_type)
    if f.registration_year:
        qs = qs.filter(registration_year=f.registration_year)
    if f.cause or f.year:
        facts = HouseholdYear.objects.filter(household=OuterRef("pk"))
        if f.cause:
            facts = facts.filter(main_cause=f.cause)
        if f.year:
            facts = facts.filter(year=f.year)
        qs = qs.filter(Exists(facts))
    return _search(qs, parse_search(f.q, personal=sees_personal_data(user)))


def _name_prefix(prefix: str) -> QuerySet[Member]:
    """Members whose name starts with ``prefix``, by an index: a range on SQLite (whose LIKE …
    ESCAPE skips the index), LIKE on PostgreSQL (its pattern index serves it under any collation,
    where a range bound such as U+FFFF would depend on the collation)."""
    if connection.vendor == "sqlite":
        return Member.objects.filter(name__gte=prefix, name__lt=prefix + "\uffff")
    return Member.objects.filter(name__startswith=prefix)


def _number(qs: QuerySet[Household], digits: str) -> QuerySet[Household]:
    """A whole household number, its head (an index range on the unique index) or its tail (read
    inside the user's scope, which the region-path index has already narrowed)."""
    if len(digits) <= TAIL_DIGITS:
        return qs.filter(household_no__endswith=digits)
    if connection.vendor == "sqlite":
        return qs.filter(household_no__gte=digits, household_no__lt=digits + ":")
    return qs.filter(household_no__startswith=digits)


def _search(qs: QuerySet[Household], search: Search) -> QuerySet[Household]:
    if search.kind == "refused":
        return qs.none()
    if search.kind == "id":
        ids = Member.objects.filter(id_number=search.value).values("household_id")
        return qs.filter(pk__in=ids)
    if search.kind == "number":
        return _number(qs, search.value)
    if search.kind == "number_or_id":
        by_number = _number(qs, search.value)
        if by_number.exists():
            return by_number
        return _search(qs, Search("id", check_id(search.value).number))
    if search.kind == "name":
        # A household number is looked up on its own: OR-ed with the name subquery it would keep
        # PostgreSQL from turning the subquery into an indexed semi-join.
        if Household.objects.filter(household_no=search.value).exists():
            return qs.filter(household_no=search.value)
        named = _name_prefix(search.value).filter(active=True).values("household_id")
        return qs.filter(pk__in=named)
    return qs


def households(user: Any, f: HouseholdFilter | None = None) -> QuerySet[Household]:
    qs = scoped(Household.objects.select_related("region"), user)
    return _apply(qs, user, f or HouseholdFilter()).order_by(*ORDER)


def household(user: Any, pk: Any) -> Household:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise OutOfScope() from None
    return get_scoped(Household.objects.select_related("region"), user, pk=key)


def household_file(user: Any, pk: Any) -> Household:
    """The household file's one read: the household in scope with its members (present first),
    yearly facts (newest first) and status changes (newest first) prefetched. The other rooms'
    sections on the page read these through ``household.members.all()`` … and take the household
    as read in scope (``lantu.accounts.scope.in_scope``), so the page's query count does not grow
    with members, years or sections. Members and years need no scope filter of their own: they
    belong to a household read in scope."""
    hh = household(user, pk)
    prefetch_related_objects(
        [hh],
        Prefetch("members", Member.objects.order_by("-active", "id")),
        Prefetch("years", HouseholdYear.objects.order_by("-year")),
        Prefetch("status_changes", StatusChange.objects.order_by("-date", "-id")),
    )
    return hh


def prefetched(hh: Household, relation: str) -> list[Any] | None:
    """The rows of ``relation`` when ``household_file`` prefetched them, else None."""
    cache = getattr(hh, "_prefetched_objects_cache", {})
    return list(cache[relation]) if relation in cache else None


def household_years(hh: Household) -> list[HouseholdYear]:
    """The yearly facts of a household already read in scope, newest first (prefetched or read)."""
    got = prefetched(hh, "years")
    return got if got is not None else list(hh.years.order_by("-year"))


def household_status_changes(hh: Household) -> list[StatusChange]:
    """The status changes of a household already read in scope, newest first."""
    got = prefetched(hh, "status_changes")
    return got if got is not None else list(hh.status_changes.order_by("-date", "-id"))


def members(user: Any, hh: Household) -> QuerySet[Member]:
    """A household's members, present ones first (the household was fetched in scope)."""
    qs = scoped(Member.objects.all(), user, path_field="household__region_path")
    return qs.filter(household=hh).order_by("-active", "id")


def years(user: Any, hh: Household) -> QuerySet[HouseholdYear]:
    qs = scoped(HouseholdYear.objects.all(), user, path_field="household__region_path")
    return qs.filter(household=hh).order_by("-year")


def status_history(user: Any, hh: Household) -> QuerySet[StatusChange]:
    qs = scoped(StatusChange.objects.all(), user, path_field="household__region_path")
    return qs.filter(household=hh).order_by("-date", "-id")


def events(user: Any, hh: Household, *, limit: int = 200) -> list[Event]:
    """The ledger events about the household, its members and its yearly facts, newest first."""
    got_members = prefetched(hh, "members")
    if got_members is None:
        got_members = list(Member.objects.filter(household=hh).only("pk"))
    member_ids = [str(m.pk) for m in got_members]
    year_ids = [str(y.pk) for y in household_years(hh)]
    about = (
        Q(object_type="household", object_id=str(hh.pk))
        | Q(object_type="member", object_id__in=member_ids)
        | Q(object_type="household_year", object_id__in=year_ids)
    )
    qs = scoped(Event.objects.select_related("actor"), user).filter(about).order_by("-id")
    return list(qs[:limit])


# -- export -------------------------------------------------------------------------------------


def households_for_export(user: Any, f: HouseholdFilter, chunk: int = 2000) -> Iterator[Household]:
    """Households in scope with their present members and yearly facts (newest first), streamed
    in chunks so that memory stays flat however many households match."""
    qs = households(user, f).prefetch_related(
        Prefetch("members", Member.objects.filter(active=True).order_by("id")),
        Prefetch("years", HouseholdYear.objects.order_by("-year")),
    )
    return qs.iterator(chunk_size=chunk)
