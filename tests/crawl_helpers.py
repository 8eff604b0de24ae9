"""What the end-to-end crawl tests of every outlet share: stores in the test's directory, the
stored records, and the article pages a replay server was asked for."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from newsmon.items import to_record
from newsmon.replay import Hit, ReplayServer
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
