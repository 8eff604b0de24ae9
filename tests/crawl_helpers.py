"""What the end-to-end crawl tests of every outlet share: stores in the test's directory, two
crawls of a replay, the stored records checked field by field, and the article pages a replay
server was asked for."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsmon.fingerprint import content_hash
from newsmon.items import to_record
from newsmon.replay import Hit, ReplayServer, build_replay
from newsmon.replay.crawl import CrawlRun, crawl_replay
from newsmon.store import open_store


def store_uri(path: Path) -> str:
    return f"sqlite:///{path}"  # path is absolute: sqlite:////tmp/...


def crawl_environment(tmp_path: Path) -> dict[str, str]:
    """Run metrics into the test's directory, not the checkout's data/."""
    return {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}


def stored_records(uri: str) -> dict[str, dict]:
    with open_store(uri) as store:
        return {article.url: to_record(article) for article in store.query()}


def article_hits(server: ReplayServer, hits: Iterable[Hit]) -> Counter[tuple[str, str]]:
    """(host, path) of article requests among `hits`, counted."""
    articles = {(host, path) for host in server.site.hosts for path in server.site.article_paths(host)}
    return Counter((h.host, h.path) for h in hits if (h.host, h.path) in articles)


def crawl_twice(tmp_path: Path, outlets: list[str], scopes: list[str]) -> dict[str, Any]:
    """The outlets' replay crawled twice into one SQLite store (the second run incremental): the
    site, the store's URI, both runs' results per scope, the pages each run asked for, and the
    records stored after the first."""
    site = build_replay(outlets)
    uri = store_uri(tmp_path / "store.db")
    environment = crawl_environment(tmp_path)
    with ReplayServer(site) as server:
        first = crawl_replay(server, scopes, store=uri, environment=environment)
        first_hits = list(server.hits)
        stored_after_first = stored_records(uri)
        second = crawl_replay(server, scopes, store=uri, environment=environment)
        second_hits = server.hits[len(first_hits) :]
    return {
        "site": site, "uri": uri, "first": first, "second": second, "first_hits": first_hits,
        "second_hits": second_hits, "stored_after_first": stored_after_first, "tmp_path": tmp_path,
    }  # fmt: skip


def assert_ran_cleanly(runs: Iterable[CrawlRun]) -> None:
    for run in runs:
        assert run.ran, f"{run.scope}: exit {run.returncode}\n{run.log[-3000:]}"
        assert not [key for key in run.stats if key.startswith("spider_exceptions/")], run.scope


def assert_stored_as_expected(stored: dict[str, dict], expected: dict[str, dict]) -> None:
    """Exactly the expected articles, each field as the replay wrote it, fingerprinted."""
    assert sorted(stored) == sorted(expected)
    for url, want in expected.items():
        got = stored[url]
        for name, value in want.items():
            assert got[name] == value, f"{url}: {name}: {got[name]!r} != {value!r}"
        assert got["content_hash"] == content_hash(want["title"], want["body"]), url
