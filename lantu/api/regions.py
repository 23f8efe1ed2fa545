"""Regions in the user's subtree."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lantu.accounts.roles import Perm
from lantu.api.auth import require
from lantu.api.paging import window
from lantu.api.schemas import ErrorOut, RegionOut, RegionPage
from lantu.regions.models import Region
from lantu.registry import queries

router = Router()


def _viewer(request: HttpRequest) -> None:
    require(request, Perm.VIEW)


def region_out(r: Region) -> RegionOut:
    parent = r.parent.code if r.parent_id and r.parent else None
    return RegionOut(code=r.code, name=r.name, level=r.level, parent_code=parent)


@router.get("", response=RegionPage, summary="The user's subtree / 本辖区全部区划")
def list_regions(request: HttpRequest, limit: int = 100, offset: int = 0) -> RegionPage:
    _viewer(request)
    rows, meta = window(queries.regions(request.user), limit, offset)
    return RegionPage(items=[region_out(r) for r in rows], **meta)


@router.get(
    "/{code}/children",
    response={200: list[RegionOut], 403: ErrorOut, 404: ErrorOut},
    summary="Children of a region in scope / 下级区划",
)
def children(request: HttpRequest, code: str) -> list[RegionOut]:
    _viewer(request)
    return [region_out(r) for r in queries.region_children(request.user, code)]
