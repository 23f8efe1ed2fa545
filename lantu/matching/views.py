"""Pages: the findings work queue and the review queue of borderline pairs (scoped, masked)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def work_queue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def review_queue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def decide_review(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")
