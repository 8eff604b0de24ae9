"""Request parameters of the desk, read and checked once for the pages and the API.

A bad value is a `BadParameter` naming the parameter, which the app answers with a 400 and one
clear message (FastAPI's own checks of ranges and patterns are answered the same way). Empty
values, as an HTML form sends for a field left blank, mean no filter.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from fastapi import Depends, Query

MAX_LIMIT = 100
MAX_OFFSET = 10_000  # deeper than any reader pages; a bound on what one request costs
DEFAULT_LIMIT = 50


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def parse_time(name: str, text: str | None, *, end_of_day: bool = False) -> datetime | None:
    """`2026-11-30` or an ISO 8601 time (UTC when it has no offset); None for none.

    A bare day is its start, or with `end_of_day` the start of the next day, so that
    `until=2026-11-30` includes the 30th.
    """
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(name, f"not a date (YYYY-MM-DD) or ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    if end_of_day and len(text.strip()) == len("2026-11-30"):
        value += timedelta(days=1)
    return value


@dataclass(frozen=True)
class Filters:
    outlet: str | None = None
    lang: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise BadParameter("until", "must be later than since")


@dataclass(frozen=True)
class Page:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def search_filters(
    outlet: str | None = Query(None, max_length=40, pattern=r"^[a-z0-9.-]*$", description="outlet name: apa, report, ..."),
    lang: str | None = Query(None, pattern=r"^([a-z]{2,3})?$", description="language: az, en, ru"),
    since: str | None = Query(None, description="published at or after: YYYY-MM-DD or ISO 8601 (UTC when no offset)"),
    until: str | None = Query(None, description="published before; a bare day YYYY-MM-DD is included"),
) -> Filters:
    """The filters a search takes."""
    return Filters(outlet or None, lang or None, None, parse_time("since", since), parse_time("until", until, end_of_day=True))


def filters(
    category: str | None = Query(None, max_length=100, description="category, as the outlet names it"),
    common: Filters = Depends(search_filters),
) -> Filters:
    """The filters of a list of articles: a search's, and the category."""
    return replace(common, category=category or None)


def page(
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="items to skip (the `next` link has it)"),
) -> Page:
    return Page(limit, offset)
