"""Run spiders on their intervals, each crawl in its own subprocess, never two of one spider at once.

A crawl of a spider holds an exclusive `flock` on `<lock dir>/<spider>.lock` for as long as
it runs, so every scheduler on the host (threads, processes, containers sharing the
directory) sees it; a spider that is due while its lock is held is skipped, not queued. The
crawl subprocess inherits the locked file, so the lock outlives a scheduler killed outright.

Intervals run from one start to the next (fixed rate). `newsmon schedule` (commands/schedule.py)
wires this to the settings and to SIGTERM/SIGINT.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newsmon.monitoring import EXIT_MONITORS_FAILED, STOP_MARKER_ENV_VAR
from newsmon.store.base import redact_command, redact_text

logger = logging.getLogger(__name__)

DEFAULT_CRAWL_COMMAND = (sys.executable, "-m", "scrapy", "crawl")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")


def parse_interval(value: str | float) -> float:
    """Seconds from `90`, `"90"`, `"90s"`, `"15m"`, `"1.5h"` or `"1d"`."""
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _INTERVAL.fullmatch(value.strip().lower())
        if not match:
            raise ValueError(f"not an interval: {value!r} (use e.g. 90, 90s, 15m, 1h, 1d)")
        seconds = float(match[1]) * _UNITS[match[2] or "s"]
    if seconds <= 0:
        raise ValueError(f"interval must be positive: {value!r}")
    return seconds


def parse_schedule(value: Mapping[str, Any] | str) -> dict[str, float]:
    """spider -> seconds, from a mapping, a JSON object or `"apa=15m,other=1h"`."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:
            pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError(f"not a schedule: {text!r} (use spider=interval,... e.g. apa=15m)")
            value = {spider.strip(): interval for spider, interval in pairs}
    return {spider: parse_interval(interval) for spider, interval in value.items()}


class SpiderLock:
    """A non-blocking exclusive flock on one spider's lock file."""

    def __init__(self, lock_dir: str | Path, spider: str) -> None:
        self.path = Path(lock_dir) / f"{spider}.lock"
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@dataclass
class CrawlResult:
    spider: str
    started_at: datetime
    duration: float
    exit_status: int

    @property
    def outcome(self) -> str:
        if self.exit_status == 0:
            return "monitors passed"
        if self.exit_status == EXIT_MONITORS_FAILED:
            return "monitors FAILED"
        if self.exit_status < 0:
            return f"crawl killed by signal {-self.exit_status}"
        return "crawl FAILED"


@dataclass
class _Crawl:
    process: subprocess.Popen[bytes]
    started_at: datetime
    started_monotonic: float


@dataclass
class _Job:
    spider: str
    interval: float
    lock: SpiderLock
    next_due: float = 0.0
    attempted: bool = False
    skipped: int = 0
    crawl: _Crawl | None = None

    @property
    def stop_marker(self) -> Path:
        """Exists while the scheduler is stopping this spider's crawl (newsmon.monitoring.STOP_MARKER_ENV_VAR)."""
        return self.lock.path.with_suffix(".stopping")


class Scheduler:
    """Runs `crawl_command + [spider] + crawl_args` from `project_dir` for each spider, on schedule.

    `run()` blocks until `stop()` (or, with `once`, until every spider was run or skipped
    once); then running crawls get SIGTERM and `shutdown_timeout` seconds before SIGKILL.
    """

    def __init__(
        self,
        schedule: Mapping[str, float],
        *,
        lock_dir: str | Path,
        project_dir: str | Path = ".",
        crawl_command: Sequence[str] = DEFAULT_CRAWL_COMMAND,
        crawl_args: Sequence[str] = (),
        once: bool = False,
        shutdown_timeout: float = 60.0,
        poll_interval: float = 0.5,
    ) -> None:
        self.jobs = [_Job(spider, interval, SpiderLock(lock_dir, spider)) for spider, interval in schedule.items()]
        self.project_dir = Path(project_dir)
        self.crawl_command = list(crawl_command)
        self.crawl_args = list(crawl_args)
        self.once = once
        self.shutdown_timeout = shutdown_timeout
        self.poll_interval = poll_interval
        # The latest crawls (bounded: a scheduler may run for months).
        self.results: deque[CrawlResult] = deque(maxlen=1000)
        self._stop_requested = False

    @property
    def skipped(self) -> dict[str, int]:
        return {job.spider: job.skipped for job in self.jobs}

    def stop(self) -> None:
        """Ask `run()` to finish. Only sets a flag, so it is safe in a signal handler."""
        self._stop_requested = True

    def run(self) -> None:
        now = time.monotonic()
        for job in self.jobs:
            job.next_due = now
        while not self._stop_requested:
            self._reap_finished()
            if self.once and all(job.attempted and job.crawl is None for job in self.jobs):
                break
            now = time.monotonic()
            for job in self.jobs:
                if now >= job.next_due and not (self.once and job.attempted):
                    self._start_or_skip(job, now)
            time.sleep(self.poll_interval)
        self._shut_down()

    def _start_or_skip(self, job: _Job, now: float) -> None:
        job.attempted = True
        job.next_due += job.interval
        if job.next_due <= now:  # far behind (the host slept): resume the rhythm from now
            job.next_due = now + job.interval
        if job.crawl is not None or not job.lock.acquire():
            job.skipped += 1
            logger.warning("crawl %s skipped: already running (%d skipped so far)", job.spider, job.skipped)
            return
        command = [*self.crawl_command, job.spider, *self.crawl_args]
        job.stop_marker.unlink(missing_ok=True)  # left by a scheduler killed while stopping a crawl
        try:
            # Own session: a Ctrl-C on the terminal reaches only the scheduler, which then
            # forwards one SIGTERM (a second signal would make Scrapy stop without closing).
            process = subprocess.Popen(
                command, cwd=self.project_dir, pass_fds=(job.lock.fd,), start_new_session=True,
                env={**os.environ, STOP_MARKER_ENV_VAR: str(job.stop_marker)},
            )  # fmt: skip
        except OSError as exc:
            job.lock.release()
            logger.error("crawl %s could not start (%s): %s", job.spider, redact_command(command), redact_text(str(exc)))
            return
        job.crawl = _Crawl(process, datetime.now(timezone.utc), now)
        logger.info("crawl %s started (pid %d)", job.spider, process.pid)

    def _reap_finished(self) -> None:
        for job in self.jobs:
            if job.crawl is not None and (status := job.crawl.process.poll()) is not None:
                self._finished(job, status)

    def _finished(self, job: _Job, exit_status: int) -> None:
        crawl, job.crawl = job.crawl, None
        job.stop_marker.unlink(missing_ok=True)
        job.lock.release()
        result = CrawlResult(job.spider, crawl.started_at, time.monotonic() - crawl.started_monotonic, exit_status)
        self.results.append(result)
        logger.log(
            logging.INFO if exit_status == 0 else logging.ERROR,
            "crawl %s: started %s, %.1fs, exit status %d, %s",
            job.spider, result.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), result.duration, exit_status, result.outcome,
        )  # fmt: skip

    def _shut_down(self) -> None:
        running = [job for job in self.jobs if job.crawl is not None]
        for job in running:
            logger.info("stopping crawl %s (pid %d)", job.spider, job.crawl.process.pid)
            job.stop_marker.touch()  # the crawl's monitors take its `shutdown` as asked for
            job.crawl.process.send_signal(signal.SIGTERM)  # Scrapy closes the spider cleanly on one SIGTERM
        deadline = time.monotonic() + self.shutdown_timeout
        for job in running:
            process = job.crawl.process
            try:
                status = process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.error("crawl %s still running after %gs: killing it", job.spider, self.shutdown_timeout)
                process.kill()
                status = process.wait()
            self._finished(job, status)
