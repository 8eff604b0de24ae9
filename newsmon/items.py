"""The article item: one schema for crawled pages, loaded documents, stores and exports.

`Article` is a plain dataclass, so itemadapter and Scrapy feed exports handle it natively.
`to_record` / `from_record` convert to and from the JSON-ready form used by exports, the
SQLite store and `newsmon load *.jsonl` (a lossless round trip).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

DATETIME_FIELDS = ("published_at", "fetched_at")
LIST_FIELDS = ("tags", "authors", "labels")


@dataclass
class Article:
    url: str = ""
    site: str = ""  # the host the article is published on: apa.az, en.apa.az, report.az
    outlet: str = ""  # the agency, across its editions: apa, report, trend (newsmon.sites)
    lang: str = ""
    title: str = ""  # the headline, without the marks agencies add to it (they are `labels`)
    labels: list[str] = field(default_factory=list)  # FOTO, VİDEO, YENİLƏNİB 2, ... (newsmon.text.TITLE_LABELS)
    body: str = ""
    published_at: datetime | None = None
    dateline: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    image_url: str = ""
    image_caption: str = ""
    source: str = "crawl"
    source_path: str = ""
    content_hash: str = ""
    story_id: str = ""
    story_match: str = ""  # how it joined its story: copy, rewrite, translation ("" for the story's first article)
    story_evidence: str = ""  # why, for the desk: `rewrite: similarity 0.41; figures 1.24, 84.37; names Bayramov`
    fetched_at: datetime | None = None


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))


def isoformat_utc(value: datetime | None) -> str | None:
    """ISO 8601 with an explicit offset (`2024-04-28T18:40:00+00:00`); naive times are UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def parse_isoformat(value: Any) -> datetime | None:
    """Inverse of `isoformat_utc`; accepts datetimes, `Z` suffixes and naive UTC strings."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def to_record(article: Article) -> dict[str, Any]:
    """JSON-ready dict with exactly the schema's fields, times as ISO 8601 with offset."""
    # A shallow copy (lists copied) instead of dataclasses.asdict's deep recursion: this runs
    # for every stored and exported article.
    record = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    for name in LIST_FIELDS:
        record[name] = list(record[name])
    for name in DATETIME_FIELDS:
        record[name] = isoformat_utc(record[name])
    return record


def from_record(record: dict[str, Any]) -> Article:
    """Build an Article from an exported record; unknown keys are rejected, missing ones default.

    Raises ValueError (with the field named) on a malformed value so that loaders can report it.
    """
    unknown = set(record) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    values = dict(record)
    for name in DATETIME_FIELDS:
        try:
            values[name] = parse_isoformat(values.get(name))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"field {name!r}: not an ISO 8601 time: {values.get(name)!r}") from exc
    for name in LIST_FIELDS:
        value = values.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"field {name!r}: expected a list of strings")
        values[name] = value
    for name in set(ARTICLE_FIELDS) - set(DATETIME_FIELDS) - set(LIST_FIELDS):
        value = values.get(name)
        if value is None:
            values.pop(name, None)
        elif not isinstance(value, str):
            raise ValueError(f"field {name!r}: expected a string")
    if "outlet" not in record and values.get("site"):
        # Records stored before outlets existed: the outlet follows from the host.
        from newsmon.sites import outlet_of_host

        values["outlet"] = outlet_of_host(values["site"])
    return Article(**values)
