"""newsmon demo: crawl a local replay of APA's three editions, load the samples, summarize.

Runs offline: the replay server (newsmon.replay) answers on 127.0.0.1 and the real
`scrapy crawl apa` runs against it, one process per edition, with the project's settings.
Running it again stores nothing new, and says so.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from newsmon.commands import add_store_argument, project_settings, store_uri
from newsmon.loader import load_paths
from newsmon.middlewares import FAILURE_KINDS
from newsmon.replay import ReplayServer, build_replay
from newsmon.replay.crawl import CrawlRun, crawl_replay
from newsmon.sites.apa import EDITIONS, PAGE_ERROR_REASONS
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
        before = _counts(store)
    with ReplayServer(build_replay()) as server:
        print("Replay of APA on 127.0.0.1:", ", ".join(f"{h} {server.base_url(h)}" for h in server.site.hosts))
        print(f"Crawling every edition with `scrapy crawl apa` ({SETTINGS_MODULE}) into {redact_uri(uri)} ...")
        runs = crawl_replay(server, EDITIONS, store=uri, settings_module=SETTINGS_MODULE)
    failed = [r for r in runs.values() if not r.ran]
    for crawl in failed:
        print(f"\nscrapy crawl apa -a editions={crawl.edition} failed (exit {crawl.returncode}):\n{crawl.log[-2000:]}")
    with open_store(uri) as store:
        crawled = _counts(store)
        samples = load_paths([SAMPLES], store, project_settings())
        after = _counts(store)
        newest = list(store.query(limit=HEADLINES))
        total = store.count()

    print()
    for lang, crawl in runs.items():
        host = EDITIONS[lang].host
        print(f"  {host:<10} {_stored_line(crawled[host] - before[host], after[host])}{_problems(crawl)}")
        for message in crawl.monitor_failures:
            print(f"  {'':<10} monitor: {message}")
    if any(crawl.monitor_failures for crawl in runs.values()):
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
    new = total - sum(before.values())
    if new:
        print(f"\nStored {new} new articles; {total} in the store.")
    else:
        print(f"\nNothing new: {total} articles already stored.")
    return 1 if failed else 0


def _counts(store: Store) -> dict[str, int]:
    """Stored articles per edition host, plus everything else under "" (samples, other sites)."""
    by_site = {edition.host: store.count(site=edition.host) for edition in EDITIONS.values()}
    return {**by_site, "": store.count() - sum(by_site.values())}


def _stored_line(new: int, total: int) -> str:
    if not new:
        return f"nothing new: {total} articles already stored"
    return f"{new} new, {total} in store"


def _problems(crawl: CrawlRun) -> str:
    """`   not stored: no_date 1, http_404 1` from the crawl's stats, "" when none."""
    prefix = "newsmon/apa/"
    counts = {
        key[len(prefix) :]: crawl.stat(key)
        for key in sorted(crawl.stats)
        if key.startswith(prefix) and _is_problem(key[len(prefix) :])
    }
    return "   not stored: " + ", ".join(f"{name} {n}" for name, n in counts.items()) if counts else ""


def _is_problem(name: str) -> bool:
    return name in PAGE_ERROR_REASONS or name in FAILURE_KINDS or name.startswith("http_")


def _absolute_sqlite(uri: str) -> str:
    """A relative SQLite path made absolute, so the crawl processes (run from the project root)
    and this one open the same file."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        return prefix + str(Path(uri[len(prefix) :]).resolve())
    return uri
