"""newsmon demo: crawl a local replay of every outlet's editions, load the samples, summarize.

Runs offline: the replay server (newsmon.replay) answers on 127.0.0.1 and the real
`scrapy crawl <outlet>` runs against it, one process per edition, with the project's settings.
The summary is per outlet and edition. Running it again stores nothing new, and says so.
"""
from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newsmon.commands import add_store_argument, project_settings, store_uri
from newsmon.items import parse_isoformat
from newsmon.loader import load_paths
from newsmon.monitoring import FAILED_STATUSES, SCOPE_WINDOW, recorded_scope
from newsmon.replay import ReplayServer, build_replay
from newsmon.replay.crawl import crawl_replay
from newsmon.sites import REGISTRY
from newsmon.sites.base import Edition
from newsmon.store import Store, open_store, redact_uri

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SETTINGS_MODULE = "settings.dev"
HEADLINES = 8
STORIES = 3  # of each kind: told by several outlets, in several languages
# The summary's columns: `report:en   report.az/en`.
SCOPE_WIDTH, EDITION_WIDTH = 12, 16
LABEL_WIDTH = SCOPE_WIDTH + 1 + EDITION_WIDTH
OUTLET_WIDTH = max(map(len, REGISTRY))


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl a local replay of every outlet into the store, load the samples, summarize",
        description=(
            "Serve a replay of every outlet's editions on free 127.0.0.1 ports, run `scrapy crawl <outlet>`"
            " against each edition into the store, load the bundled sample documents and print what"
            " was stored, per outlet and edition. No internet needed; a second run stores nothing new."
        ),
    )
    add_store_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    uri = _absolute_sqlite(store_uri(args))
    with open_store(uri) as store:
        stored_before = store.count()
    crawls_started = datetime.now(timezone.utc)
    with ReplayServer(build_replay()) as server:
        print(f"Replay of {', '.join(sorted({scope.split(':')[0] for scope in server.site.editions}))} on 127.0.0.1")
        print(f"Crawling every edition with `scrapy crawl <outlet>` ({SETTINGS_MODULE}) into {redact_uri(uri)} ...")
        crawls = crawl_replay(server, server.site.editions, store=uri, settings_module=SETTINGS_MODULE)
        editions = {scope: server.site.edition(scope) for scope in crawls}
    failed = [crawl for crawl in crawls.values() if not crawl.ran]
    for crawl in failed:
        print(f"\nscrapy crawl {crawl.scope} failed (exit {crawl.returncode}):\n{crawl.log[-2000:]}")
    with open_store(uri) as store:
        # The figures of each edition's crawl come from the run it recorded in the store; the
        # edition's total is counted before the samples are loaded, which may add to it.
        runs = _edition_runs(store, editions, since=crawls_started)
        in_store = {scope: _count_edition(store, edition) for scope, edition in editions.items()}
        samples = load_paths([SAMPLES], store, project_settings())
        newest = list(store.query(limit=HEADLINES))
        total = store.count()
        summary = store.summary()

    print()
    for scope in crawls:
        label = f"{scope:<{SCOPE_WIDTH}} {_edition_label(editions[scope]):<{EDITION_WIDTH}}"
        run_doc = runs.get(scope)
        if run_doc is None:
            if crawls[scope].ran:
                print(f"  {label} crawled, but the crawl recorded no run in the store (see its log)")
            continue
        print(f"  {label} {_stored_line(run_doc['items']['inserted'], in_store[scope])}{_not_stored(run_doc)}")
        for monitor in run_doc["monitors"]:
            if monitor["status"] in FAILED_STATUSES:
                print(f"  {'':<{LABEL_WIDTH}} monitor: {monitor['name']}: {monitor['message']}")
    if any(run_doc["monitors_failed"] for run_doc in runs.values()):
        print(
            f"  {'':<{LABEL_WIDTH}} (the replay holds deliberately broken pages; the monitors flag them as they"
            " would on the live site)"
        )
    read = f"{samples.read} document{'s' if samples.read != 1 else ''}"
    if samples.stored:
        print(f"  {'samples':<{LABEL_WIDTH}} {samples.stored} new ({read} read from {SAMPLES.name}/)")
    else:
        print(f"  {'samples':<{LABEL_WIDTH}} nothing new: {read} already stored")

    print("\nNewest headlines (UTC):")
    for article in newest:
        when = f"{article.published_at:%Y-%m-%d %H:%M}" if article.published_at else "-" * 16
        print(f"  {when}  {article.outlet:<{OUTLET_WIDTH}} {article.lang}  {article.title}")
    for key, title in (("multi_outlet_stories", "Stories told by several outlets"), ("multi_lang_stories", "in several languages")):
        if summary[key]:
            print(f"\n{title}:")
            for story in summary[key][:STORIES]:
                first = story["first"]
                print(
                    f"  {story['articles']} articles  {', '.join(story['outlets'])}  {', '.join(story['langs'])}"
                    f"  (first: {first['outlet']} {first['lang']}, {first['published_at'][:16].replace('T', ' ')})"
                    f"  {first['title'][:60]}"
                )
    new = total - stored_before
    if new:
        print(f"\nStored {new} new articles; {total} in the store.")
    else:
        print(f"\nNothing new: {total} articles already stored.")
    return 1 if failed else 0


def _edition_runs(store: Store, editions: dict[str, Edition], since: datetime) -> dict[str, dict[str, Any]]:
    """The run document of each edition's crawl started since `since`, by scope (`apa:en`)."""
    runs: dict[str, dict[str, Any]] = {}
    for outlet in dict.fromkeys(scope.split(":")[0] for scope in editions):
        for run_doc in store.recent_runs(outlet, limit=len(editions) * SCOPE_WINDOW):  # newest first
            scope = recorded_scope(run_doc)
            started = parse_isoformat(run_doc.get("started_at"))
            if scope in editions and scope not in runs and started and started >= since:
                runs[scope] = run_doc
    return runs


def _count_edition(store: Store, edition: Edition) -> int:
    """Articles stored for an edition: its host's, less those of editions under a path of that host."""
    return sum(1 for article in store.query(site=edition.host) if _owned(edition, article.url))


def _owned(edition: Edition, url: str) -> bool:
    from newsmon.sites import site_of_host

    site = site_of_host(edition.host)
    return site is not None and site.edition_of(url) == edition


def _edition_label(edition: Edition) -> str:
    return edition.host + edition.prefix


def _stored_line(new: int, total: int) -> str:
    if not new:
        return f"nothing new: {total} articles already stored"
    return f"{new} new, {total} in store"


def _not_stored(run_doc: dict[str, Any]) -> str:
    """`   not stored: http_404 1, no_date 1`: pages the spider rejected and articles the chain
    dropped, by reason; "" when none."""
    reasons = Counter(run_doc["pages"]["rejected"]) + Counter(run_doc["items"]["dropped"])
    return "   not stored: " + ", ".join(f"{name} {n}" for name, n in sorted(reasons.items())) if reasons else ""


def _absolute_sqlite(uri: str) -> str:
    """A relative SQLite path made absolute, so the crawl processes (run from the project root)
    and this one open the same file."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        return prefix + str(Path(uri[len(prefix) :]).resolve())
    return uri
