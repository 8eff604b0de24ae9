"""Run the real `scrapy crawl <outlet>` against a replay server, one subprocess per edition.

Used by the demo, the crawl tests and the crawl benchmark, so that all of them exercise the
command users run, with the project's settings (scrapy.cfg at the repository root).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsmon.monitoring import EXIT_MONITORS_FAILED
from newsmon.replay.server import ReplayServer

# The checkout holding scrapy.cfg and the settings/ package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# `'newsmon/apa/http_404': 1,` in Scrapy's final "Dumping Scrapy stats" block.
_STAT_LINE = re.compile(r"^\s*\{?'(?P<key>[^']+)': (?P<value>-?\d+(?:\.\d+)?)[,}]?\s*$", re.MULTILINE)
_MONITOR_FAILED = re.compile(r"monitor failed: (?P<message>.+)$", re.MULTILINE)


@dataclass
class CrawlRun:
    scope: str  # `apa:en`: the outlet and edition crawled
    returncode: int
    log: str
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def ran(self) -> bool:
        """The crawl ran to the end (monitors may still have flagged something)."""
        return self.returncode in (0, EXIT_MONITORS_FAILED)

    @property
    def monitor_failures(self) -> list[str]:
        return _MONITOR_FAILED.findall(self.log)

    def stat(self, name: str) -> int:
        return int(self.stats.get(name, 0))


def crawl_replay(
    server: ReplayServer,
    scopes: Iterable[str],
    *,
    store: str,
    settings_module: str = "settings.dev",
    feed_dir: Path | None = None,
    spider_args: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
    settings: Mapping[str, object] | None = None,
    parallel: int = 3,
) -> dict[str, CrawlRun]:
    """Crawl each edition's replay (`apa:en`, ...) into `store`, `parallel` crawls at a time;
    `feed_dir` gets items-<outlet>-<lang>.jsonl.

    `environment` adds variables (NEWSMON_PROMETHEUS_FILE, say) to the crawl processes';
    `settings` are given with `-s` (values other than strings as JSON).
    """
    def start(scope: str) -> subprocess.Popen[str]:
        return start_crawl(
            server, scope, store=store, settings_module=settings_module, spider_args=spider_args,
            environment=environment, settings=settings,
            feed=feed_dir / f"items-{scope.replace(':', '-')}.jsonl" if feed_dir is not None else None,
        )  # fmt: skip

    runs = {}
    waiting = list(scopes)
    while waiting:
        batch, waiting = waiting[:parallel], waiting[parallel:]
        processes = {scope: start(scope) for scope in batch}
        for scope, process in processes.items():
            runs[scope] = finish_crawl(scope, process)
    return runs


def start_crawl(
    server: ReplayServer,
    scope: str,
    *,
    store: str,
    settings_module: str = "settings.dev",
    feed: Path | None = None,
    spider_args: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
    settings: Mapping[str, object] | None = None,
    own_session: bool = False,
) -> subprocess.Popen[str]:
    """`scrapy crawl <outlet>` of one edition's replay (`apa:en`), started, not awaited.
    `own_session`: in a process group of its own, for a test that kills (or cleans up) the whole
    group; otherwise it shares the caller's, so that Ctrl-C at a terminal reaches it too."""
    env = {
        **os.environ,
        **(environment or {}),
        "SCRAPY_SETTINGS_MODULE": settings_module,
        "NEWSMON_STORE": store,
        "NEWSMON_LOG_LEVEL": "INFO",  # the stats dump is logged at INFO
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }
    outlet, lang = scope.split(":")
    edition = server.site.edition(scope)
    command = [sys.executable, "-m", "scrapy", "crawl", outlet, "-a", f"editions={lang}"]
    command += ["-a", f"base_url={server.base_url(edition.host)}", *_spider_args(spider_args)]
    command += _setting_args(settings or {})
    if feed is not None:
        command += ["-O", str(feed)]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=own_session,
    )  # fmt: skip


def finish_crawl(scope: str, process: subprocess.Popen[str], timeout: float | None = None) -> CrawlRun:
    """Wait for a crawl `start_crawl` started; its log and final stats."""
    log, _ = process.communicate(timeout=timeout)
    return CrawlRun(scope, process.returncode, log, parse_stats(log))


class BackgroundCrawl:
    """A crawl `start_crawl` started, its log read by a thread as it comes, so that a full pipe
    never stalls it while the caller waits for other crawls (a stalled distributed worker would
    stop renewing its leases)."""

    def __init__(self, scope: str, process: subprocess.Popen[str]) -> None:
        self.scope, self.process, self.pid = scope, process, process.pid
        self._run: list[CrawlRun] = []
        self._reader = threading.Thread(target=lambda: self._run.append(finish_crawl(scope, process)), daemon=True)
        self._reader.start()

    def finish(self, timeout: float | None = None) -> CrawlRun:
        self._reader.join(timeout)
        if not self._run:
            raise TimeoutError(f"crawl {self.scope} (pid {self.pid}) still running after {timeout}s")
        return self._run[0]

    def kill(self) -> None:
        """SIGKILL its process group (a crawl started with `own_session`) if it still runs."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)


def parse_stats(log: str) -> dict[str, float]:
    """The numeric stats of Scrapy's final stats dump in a crawl log."""
    dump = log.rpartition("Dumping Scrapy stats:")[2]
    return {m["key"]: float(m["value"]) for m in _STAT_LINE.finditer(dump)}


def _spider_args(pairs: Sequence[str]) -> list[str]:
    return [part for pair in pairs for part in ("-a", pair)]


def _setting_args(settings: Mapping[str, object]) -> list[str]:
    values = {name: value if isinstance(value, str) else json.dumps(value) for name, value in settings.items()}
    return [part for name, value in values.items() for part in ("-s", f"{name}={value}")]
