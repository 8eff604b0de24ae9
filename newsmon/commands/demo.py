"""newsmon demo: crawl a local replay of APA's three editions, load the samples, summarize.

Runs offline: the replay server (newsmon.replay) answers on 127.0.0.1 and the real
`scrapy crawl apa` runs against it, one process per edition, with the project's settings.
Running it again stores nothing new, and says so.
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
from newsmon.sites.apa import EDITIONS
from newsmon.spiders.apa import ApaSpider
from newsmon.store import Store, open_store, redact_uri

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SETTINGS_MODULE = "settings.dev"
HEADLINES = 8


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl a local replay of APA into the store, load the samples, summarize",
        description=(
            "Serve a replay of APA's az/en/ru editions on a free 127.0.0.1 port, run `scrapy crawl apa`"
            " against each edition into the store, load the bundled sample documents and print what"
            " was stored. No internet needed; a second run stores nothing new."
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
        print("Replay of APA on 127.0.0.1:", ", ".join(f"{h} {server.base_url(h)}" for h in server.site.hosts))
        print(f"Crawling every edition with `scrapy crawl apa` ({SETTINGS_MODULE}) into {redact_uri(uri)} ...")
        crawls = crawl_replay(server, EDITIONS, store=uri, settings_module=SETTINGS_MODULE)
    failed = [crawl for crawl in crawls.values() if not crawl.ran]
    for crawl in failed:
        print(f"\nscrapy crawl apa -a editions={crawl.edition} failed (exit {crawl.returncode}):\n{crawl.log[-2000:]}")
    with open_store(uri) as store:
        # The figures of each edition's crawl come from the run it recorded in the store; the
        # edition's total is counted before the samples are loaded, which may add to it.
        runs = _edition_runs(store, since=crawls_started)
        in_store = {lang: store.count(site=EDITIONS[lang].host) for lang in crawls}
        samples = load_paths([SAMPLES], store, project_settings())
        newest = list(store.query(limit=HEADLINES))
        total = store.count()

    print()
    for lang, crawl in crawls.items():
        host = EDITIONS[lang].host
        run_doc = runs.get(lang)
        if run_doc is None:
            if crawl.ran:
                print(f"  {host:<10} crawled, but the crawl recorded no run in the store (see its log)")
            continue
        print(f"  {host:<10} {_stored_line(run_doc['items']['inserted'], in_store[lang])}{_not_stored(run_doc)}")
        for monitor in run_doc["monitors"]:
            if monitor["status"] in FAILED_STATUSES:
                print(f"  {'':<10} monitor: {monitor['name']}: {monitor['message']}")
    if any(run_doc["monitors_failed"] for run_doc in runs.values()):
        print(
            f"  {'':<10} (the replay holds deliberately broken pages; the monitors flag them as they"
            " would on the live site)"
        )
    read = f"{samples.read} document{'s' if samples.read != 1 else ''}"
    if samples.stored:
        print(f"  {'samples':<10} {samples.stored} new ({read} read from {SAMPLES.name}/)")
    else:
        print(f"  {'samples':<10} nothing new: {read} already stored")

    print("\nNewest headlines (UTC):")
    for article in newest:
        when = f"{article.published_at:%Y-%m-%d %H:%M}" if article.published_at else "-" * 16
        print(f"  {when}  {article.site:<10} {article.title}")
    new = total - stored_before
    if new:
        print(f"\nStored {new} new articles; {total} in the store.")
    else:
        print(f"\nNothing new: {total} articles already stored.")
    return 1 if failed else 0


def _edition_runs(store: Store, since: datetime) -> dict[str, dict[str, Any]]:
    """The run document of each edition's crawl started since `since`, by edition."""
    scopes = {ApaSpider(editions=lang).run_scope: lang for lang in EDITIONS}
    runs: dict[str, dict[str, Any]] = {}
    for run_doc in store.recent_runs(ApaSpider.name, limit=len(EDITIONS) * SCOPE_WINDOW):  # newest first
        lang = scopes.get(recorded_scope(run_doc))
        started = parse_isoformat(run_doc.get("started_at"))
        if lang and lang not in runs and started and started >= since:
            runs[lang] = run_doc
    return runs


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
