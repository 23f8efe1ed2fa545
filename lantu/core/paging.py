"""One page of a web list, and a bounded count: the one paging of every list page.

A request never counts a whole table. Django's ``Paginator`` runs ``COUNT(*)`` over the whole
filtered queryset on every page, which at province scale (3.5M households, a province's open
tickets) costs more than the page itself. Here:

- the page is read with one row more than it shows, which says whether another page follows;
- the count stops at ``COUNT_CAP + 1`` rows (``bounded_count``), and a list longer than the cap
  shows "10000+" (``Page.capped``);
- a last page (a short one) knows its count without counting at all: ``start + rows``.

``Page`` answers the parts of Django's ``Page`` that templates use (``has_next``,
``next_page_number``, iteration…), so a template needs no paginator. Page numbers past
``MAX_PAGE`` are clamped: PostgreSQL refuses offsets past a bigint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

COUNT_CAP = 10_000
MAX_PAGE = 100_000
PER_PAGE = 50


def bounded_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """How many rows, counting at most ``cap + 1`` (``cap + 1`` means "more than the cap")."""
    return qs.order_by().values("pk")[: cap + 1].count()


def page_number(value: Any) -> int:
    """A ``?page=`` value as a page number: anything that is not a positive number is page 1."""
    try:
        number = int(str(value or "1").strip())
    except ValueError:
        return 1
    return max(1, min(number, MAX_PAGE))


@dataclass
class Page:
    rows: list[Any]
    number: int
    per_page: int
    has_next: bool
    count: int | None = None  # None when the list was paged without a count
    capped: bool = field(default=False)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row shown (0 on an empty page)."""
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def page(qs: QuerySet[Any], number: int, per_page: int = PER_PAGE, *, count: bool = True) -> Page:
    """Page ``number`` (from 1) of an ordered queryset: one query for the rows, and, when
    ``count`` and the page is not the last, one bounded count."""
    number = max(1, min(number, MAX_PAGE))
    start = (number - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    total: int | None = None
    if count:
        if not has_next and (rows or number == 1):
            total = start + len(rows)  # the last page: the count is known
        else:
            total = bounded_count(qs, COUNT_CAP)
    return Page(
        rows=rows,
        number=number,
        per_page=per_page,
        has_next=has_next,
        count=None if total is None else min(total, COUNT_CAP),
        capped=total is not None and total > COUNT_CAP,
    )
