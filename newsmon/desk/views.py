"""What each desk page shows, as JSON-ready dicts: the API returns them, the templates render them.

Built from the store's reads only (newsmon.store.base); one function a page.
"""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from newsmon.desk.chart import day_chart
from newsmon.desk.params import BadParameter, Filters, Page
from newsmon.desk.security import safe_url
from newsmon.items import Article, isoformat_utc
from newsmon.monitoring import FAILED_STATUSES, SCOPE_WINDOW, recorded_scope
from newsmon.search import parse_query, snippet
from newsmon.sites import REGISTRY, site_of_host
from newsmon.store import Store, article_key
from newsmon.watch import Watchlist, describe, parse_terms

BAKU = ZoneInfo("Asia/Baku")
CHART_DAYS = 30
RUNS_SHOWN = 5
SNIPPET_WIDTH = 240
# Fields whose change a revision lists (the body's is shown line by line).
REVISED_FIELDS = ("title", "published_at", "category", "labels", "tags", "authors", "image_url")


@dataclass(frozen=True)
class Listing:
    """One page of a list, and whether another follows."""

    items: list[dict[str, Any]]
    more: bool


def edition_label(article: Article) -> str:
    """`report.az/en`: the edition the article's URL belongs to, else its site."""
    site = site_of_host(article.site) if article.site else None
    edition = site.edition_of(article.url) if site and article.url else None
    return edition.host + edition.prefix if edition else article.site


def baku_time(value: datetime | None) -> str | None:
    return value.astimezone(BAKU).isoformat() if value else None


def article_item(article: Article, story_outlets: dict[str, int] | None = None) -> dict[str, Any]:
    """An article as lists show it: no body, both clocks, how many outlets carry its story."""
    return {
        "key": article_key(article),
        "url": article.url,
        "link": safe_url(article.url),
        "title": article.title,
        "labels": article.labels,
        "outlet": article.outlet or article.site,
        "site": article.site,
        "edition": edition_label(article),
        "lang": article.lang,
        "category": article.category,
        "published_at": isoformat_utc(article.published_at),
        "published_at_baku": baku_time(article.published_at),
        "story_id": article.story_id,
        "story_outlets": (story_outlets or {}).get(article.story_id, 1 if article.story_id else 0),
    }


def _listing(store: Store, articles: Sequence[Article], page: Page) -> Listing:
    """`articles` fetched with one more than the page holds: the page, and whether more follow."""
    shown = list(articles[: page.limit])
    outlets = store.story_outlets([a.story_id for a in shown])
    return Listing([article_item(a, outlets) for a in shown], more=len(articles) > page.limit)


def now_view(store: Store, filters: Filters, page: Page) -> Listing:
    articles = list(store.query(
        outlet=filters.outlet, lang=filters.lang, category=filters.category, since=filters.since, until=filters.until,
        limit=page.limit + 1, offset=page.offset,
    ))  # fmt: skip
    return _listing(store, articles, page)


def search_view(store: Store, text: str, filters: Filters, page: Page) -> dict[str, Any]:
    """Hits newest first, grouped by story (in the order of each story's newest hit on the page),
    each with its title and a snippet of its body as segments (text, hit) to mark."""
    query = parse_query(text)
    found = store.search(
        text, outlet=filters.outlet, lang=filters.lang, since=filters.since, until=filters.until,
        limit=page.limit + 1, offset=page.offset,
    )  # fmt: skip
    listing = _listing(store, found, page)
    groups: dict[str, dict[str, Any]] = {}
    for article, item in zip(found, listing.items):
        item["title_segments"] = [s._asdict() for s in snippet(article.title, query, width=len(article.title) + 1)]
        item["snippet"] = [s._asdict() for s in snippet(article.body, query, width=SNIPPET_WIDTH)]
        group_key = article.story_id or item["key"]
        group = groups.setdefault(group_key, {"story_id": article.story_id, "story_outlets": item["story_outlets"], "items": []})
        group["items"].append(item)
    return {"query": text, "words": sorted(query.words), "groups": list(groups.values()), "more": listing.more}


def after(seconds: float) -> str:
    """`+2 h 05 min`: how long after the first copy another came out."""
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"+{days} d {hours} h"
    if hours:
        return f"+{hours} h {minutes:02d} min"
    return f"+{minutes} min"


def story_view(store: Store, story_id: str) -> dict[str, Any] | None:
    """Every copy in order of publication; who was first, and when each other outlet followed."""
    articles = [a for a in store.story(story_id) if a.published_at]
    if not articles:
        return None
    first = articles[0].published_at
    items = []
    for index, article in enumerate(articles):
        item = article_item(article)
        item["after_first_seconds"] = (article.published_at - first).total_seconds()
        item["after_first"] = after(item["after_first_seconds"]) if index else "first"
        item["story_match"] = article.story_match
        items.append(item)
    followers: dict[str, dict[str, Any]] = {}
    for item in items[1:]:
        if item["outlet"] != items[0]["outlet"]:
            followers.setdefault(item["outlet"], item)
    return {
        "story_id": story_id,
        "first": items[0],
        "outlets": list(dict.fromkeys(item["outlet"] for item in items)),
        "langs": list(dict.fromkeys(item["lang"] for item in items)),
        "followers": [{"outlet": o, "lang": i["lang"], "after_first": i["after_first"],
                       "after_first_seconds": i["after_first_seconds"]} for o, i in followers.items()],  # fmt: skip
        "articles": items,
    }


def field_changes(old: Article, new: Article) -> list[dict[str, Any]]:
    """The REVISED_FIELDS that differ between two versions, before and after."""
    changes = []
    for name in REVISED_FIELDS:
        before, after_ = getattr(old, name), getattr(new, name)
        if before != after_:
            if isinstance(before, datetime) or isinstance(after_, datetime):
                before, after_ = isoformat_utc(before), isoformat_utc(after_)
            changes.append({"field": name, "before": before, "after": after_})
    return changes


def body_changes(old: str, new: str) -> list[dict[str, str]]:
    """The paragraphs removed (-) and added (+) from one body to the next, in order."""
    lines = difflib.ndiff(old.split("\n"), new.split("\n"))
    return [{"op": line[0], "text": line[2:]} for line in lines if line[:1] in "-+" and line[2:].strip()]


def article_view(store: Store, key: str) -> dict[str, Any] | None:
    article = store.article(key)
    if article is None:
        return None
    revisions = store.revisions(key)
    versions = [r["article"] for r in revisions] + [article]
    story = [a for a in store.story(article.story_id) if article_key(a) != key] if article.story_id else []
    return {
        **article_item(article, store.story_outlets([article.story_id])),
        "body": article.body,
        "paragraphs": [p for p in article.body.split("\n") if p.strip()],
        "dateline": article.dateline,
        "tags": article.tags,
        "authors": article.authors,
        "image_url": article.image_url,
        "image_link": safe_url(article.image_url),
        "source": article.source,
        "story_match": article.story_match,
        "story_evidence": article.story_evidence,
        "fetched_at": isoformat_utc(article.fetched_at),
        "revisions": [
            {"revised_at": isoformat_utc(r["revised_at"]), "fields": field_changes(r["article"], versions[i + 1]),
             "body": body_changes(r["article"].body, versions[i + 1].body)}
            for i, r in enumerate(revisions)
        ],  # fmt: skip
        "story": [article_item(a) for a in story],
    }


def run_item(run: dict[str, Any]) -> dict[str, Any]:
    """A run document as the Sites page and /api/runs show it."""
    items = run.get("items", {})
    monitors = run.get("monitors", [])
    return {
        "spider": run.get("spider"),
        "scope": recorded_scope(run),
        "started_at": run.get("started_at"),
        "finished_at": run.get("finished_at"),
        "duration_seconds": run.get("duration_seconds"),
        "finish_reason": run.get("finish_reason"),
        "requests": run.get("requests", 0),
        "seen": items.get("seen"),
        "stored": items.get("stored", 0),
        "duplicates": items.get("duplicates", 0),
        "dropped": items.get("dropped", {}),
        "rejected": run.get("pages", {}).get("rejected", {}),
        "monitors": [{"name": m.get("name"), "status": m.get("status"), "message": m.get("message", ""),
                      "failed": m.get("status") in FAILED_STATUSES} for m in monitors],  # fmt: skip
        "monitors_failed": sum(1 for m in monitors if m.get("status") in FAILED_STATUSES),
    }


def runs_view(store: Store, spider: str | None, scope: str | None, page: Page) -> Listing:
    wanted = page.offset + page.limit + 1
    # The store picks runs by spider only: a scope's are among SCOPE_WINDOW times as many.
    runs = store.recent_runs(spider, limit=wanted * (SCOPE_WINDOW if scope else 1))
    if scope:
        runs = [run for run in runs if recorded_scope(run) == scope]
    runs = runs[page.offset : wanted]
    return Listing([run_item(run) for run in runs[: page.limit]], more=len(runs) > page.limit)


def sites_view(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per outlet: per edition its last runs, and per host a chart of CHART_DAYS days, up to today
    or, in a store that stopped filling, to the day of its newest article."""
    last_day = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
    newest = next(iter(store.query(limit=1)), None)
    if newest is not None and newest.published_at:
        last_day = min(last_day, newest.published_at.astimezone(timezone.utc).date())
    days = [last_day - timedelta(days=n) for n in reversed(range(CHART_DAYS))]
    since = datetime(days[0].year, days[0].month, days[0].day, tzinfo=timezone.utc)
    counts = store.daily_counts(since=since)
    outlets = []
    for name, site in REGISTRY.items():
        runs = [run_item(run) for run in store.recent_runs(name, limit=len(site.editions) * SCOPE_WINDOW)]
        editions = []
        for edition in site.editions:
            scope = f"{name}:{edition.lang}"
            mine = [run for run in runs if run["scope"] == scope][:RUNS_SHOWN]
            editions.append({"scope": scope, "label": edition.host + edition.prefix, "lang": edition.lang, "runs": mine,
                             "rejected": dict(sum((Counter(run["rejected"]) for run in mine), Counter()))})  # fmt: skip
        charts = [{"host": host, "chart": day_chart(counts.get(host, {}), days)} for host in _hosts(site.editions)]
        outlets.append({"name": name, "title": site.title, "editions": editions, "charts": charts})
    return outlets


def _hosts(editions: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(edition.host for edition in editions))


def watchlists_view(store: Store, alerts_limit: int = 50) -> dict[str, Any]:
    """Every watchlist, and the newest alerts: one a story, with how far it has grown."""
    watchlists = store.watchlists()
    names = {watchlist.id: watchlist.name for watchlist in watchlists}
    alerts = []
    for alert in store.alerts(alerts_limit):
        record = alert.to_record()
        record["watchlist"] = names.get(alert.watchlist_id, alert.watchlist_id)
        record["first"] = {**record["first"], "link": safe_url(record["first"].get("url"))}
        alerts.append(record)
    return {
        "watchlists": [{**watchlist.to_record(), "query": describe(watchlist)} for watchlist in watchlists],
        "alerts": alerts,
    }


def new_watchlist(fields: dict[str, Any]) -> Watchlist:
    """A watchlist from a form or a JSON body: `name`, `query` (words and "phrases"), and
    `outlets`, `langs`, `categories` as lists or comma-separated text. BadParameter if unusable."""

    def names(field: str) -> tuple[str, ...]:
        value = fields.get(field) or ()
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise BadParameter(field, "expected names, as a list or separated by commas")
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    name, query = fields.get("name"), fields.get("query")
    if not isinstance(name, str) or not isinstance(query, str):
        raise BadParameter("name" if not isinstance(name, str) else "query", "required text")
    outlets = names("outlets")
    if unknown := [outlet for outlet in outlets if outlet not in REGISTRY]:
        raise BadParameter("outlets", f"unknown outlet(s): {', '.join(unknown)}")
    langs, categories = names("langs"), names("categories")
    try:
        return Watchlist(name.strip(), parse_terms(query), outlets, langs, categories)
    except ValueError as exc:
        raise BadParameter("query" if "term" in str(exc) else "name", str(exc)) from None
