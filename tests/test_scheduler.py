"""newsmon schedule: intervals, per-spider locks across schedulers, clean shutdown.

Crawls are played by tests/fake_crawl.py, which logs start/end with CLOCK_MONOTONIC and can
wait for a file: tests hold a crawl open until they have seen what they wait for, so no
assertion depends on how fast the machine is.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newsmon.monitoring import EXIT_MONITORS_FAILED
from newsmon.scheduler import CrawlResult, Scheduler, SpiderLock, parse_interval, parse_schedule

FAKE_CRAWL = [sys.executable, str(Path(__file__).parent / "fake_crawl.py")]
NEWSMON = [sys.executable, "-m", "newsmon.cli"]
PATIENCE = 60  # seconds before a test gives up waiting (never reached when things work)


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def crawl_events(log: Path) -> list[tuple[str, str, int, int]]:
    if not log.exists():
        return []
    events = []
    for line in log.read_text().splitlines():
        event, spider, pid, ns = line.split()
        events.append((event, spider, int(pid), int(ns)))
    return events


def crawl_intervals(log: Path) -> list[tuple[int, int]]:
    """(start, end) of every finished fake crawl, by start time."""
    starts = {pid: ns for event, _, pid, ns in crawl_events(log) if event == "start"}
    return sorted((starts[pid], ns) for event, _, pid, ns in crawl_events(log) if event == "end")


def scheduler(tmp_path: Path, *crawl_args: str, **options) -> Scheduler:
    return Scheduler(
        {"fake": options.pop("interval", 3600)},
        lock_dir=tmp_path / "locks",
        project_dir=tmp_path,
        crawl_command=FAKE_CRAWL,
        crawl_args=["--log", str(tmp_path / "crawls.log"), *crawl_args],
        poll_interval=0.02,
        **options,
    )


def newsmon_schedule(tmp_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*NEWSMON, "schedule", "--lock-dir", str(tmp_path / "locks"), "--crawl-command", " ".join(FAKE_CRAWL), *args],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("1.5h", 5400), ("1d", 86400), (" 2M ", 120), (30, 30)],
)
def test_parse_interval(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "15 minutes", "-5m", "0", "1w"])
def test_parse_interval_rejects(text):
    with pytest.raises(ValueError):
        parse_interval(text)


def test_parse_schedule_forms():
    assert parse_schedule({"apa": 900}) == {"apa": 900}
    assert parse_schedule("apa=15m, other=1h") == {"apa": 900, "other": 3600}
    assert parse_schedule('{"apa": "15m", "other": 60}') == {"apa": 900, "other": 60}
    with pytest.raises(ValueError):
        parse_schedule("apa")


def test_spider_lock_is_exclusive_until_released(tmp_path):
    first, second = SpiderLock(tmp_path, "apa"), SpiderLock(tmp_path, "apa")
    assert first.acquire()
    assert not second.acquire()
    assert SpiderLock(tmp_path, "other").acquire()
    first.release()
    assert second.acquire()


def test_two_schedulers_started_together_run_the_spider_once(tmp_path):
    release = tmp_path / "release"
    schedulers = [scheduler(tmp_path, "--wait-for", str(release), once=True) for _ in range(2)]
    threads = [threading.Thread(target=s.run) for s in schedulers]
    for thread in threads:
        thread.start()
    # The crawl that got the lock runs until released, so the scheduler that ends first is
    # the one that found the spider running and skipped it.
    wait_until(lambda: not all(t.is_alive() for t in threads), "one scheduler to skip")
    release.touch()
    for thread in threads:
        thread.join(PATIENCE)

    assert sorted(s.skipped["fake"] for s in schedulers) == [0, 1]
    assert [len(s.results) for s in schedulers if s.skipped["fake"] == 0] == [1]
    assert [event for event, *_ in crawl_events(tmp_path / "crawls.log")] == ["start", "end"]


def test_two_schedule_processes_run_the_spider_once(tmp_path):
    release = tmp_path / "release"
    args = ("--once", "--every", "fake=1h", "--", "--log", str(tmp_path / "crawls.log"), "--wait-for", str(release))
    processes = [newsmon_schedule(tmp_path, *args) for _ in range(2)]
    wait_until(lambda: any(p.poll() is not None for p in processes), "one scheduler to skip")
    release.touch()
    outputs = [p.communicate(timeout=PATIENCE)[1] for p in processes]

    assert [p.returncode for p in processes] == [0, 0]
    assert sum("crawl fake skipped: already running" in err for err in outputs) == 1
    assert sum("crawl fake: started" in err and "exit status 0, monitors passed" in err for err in outputs) == 1
    assert [event for event, *_ in crawl_events(tmp_path / "crawls.log")] == ["start", "end"]


def test_competing_schedulers_never_overlap_a_spider(tmp_path):
    # Both due every 10 ms with crawls of over 50 ms: they contend for the lock all the time.
    schedulers = [scheduler(tmp_path, "--sleep", "0.05", interval=0.01) for _ in range(2)]
    threads = [threading.Thread(target=s.run) for s in schedulers]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(crawl_intervals(tmp_path / "crawls.log")) >= 8, "eight crawls")
    for s in schedulers:
        s.stop()
    for thread in threads:
        thread.join(PATIENCE)

    intervals = crawl_intervals(tmp_path / "crawls.log")
    for (_, previous_end), (start, _) in zip(intervals, intervals[1:]):
        assert start > previous_end, "two crawls of one spider overlapped"


def test_sigterm_stops_the_crawl_and_exits_0(tmp_path):
    log = tmp_path / "crawls.log"
    process = newsmon_schedule(tmp_path, "--every", "fake=1h", "--", "--log", str(log), "--wait-for", "/nonexistent")
    wait_until(lambda: crawl_events(log), "the crawl to start")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=PATIENCE)

    assert process.returncode == 0, err
    assert [event for event, *_ in crawl_events(log)] == ["start", "sigterm", "end"]
    assert "stopping crawl fake" in err
    assert "crawl fake: started" in err and "exit status 0" in err


def test_crawl_ignoring_sigterm_is_killed_after_the_shutdown_timeout(tmp_path):
    log = tmp_path / "crawls.log"
    process = newsmon_schedule(
        tmp_path, "--every", "fake=1h", "--shutdown-timeout", "0.2",
        "--", "--log", str(log), "--wait-for", "/nonexistent", "--ignore-sigterm",
    )  # fmt: skip
    wait_until(lambda: crawl_events(log), "the crawl to start")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=PATIENCE)

    assert process.returncode == 0, err
    assert [event for event, *_ in crawl_events(log)] == ["start", "sigterm"]
    assert "killing it" in err and f"crawl killed by signal {signal.SIGKILL.value}" in err


def test_a_crawl_keeps_its_lock_when_the_scheduler_is_killed(tmp_path):
    log, release = tmp_path / "crawls.log", tmp_path / "release"
    process = newsmon_schedule(tmp_path, "--every", "fake=1h", "--", "--log", str(log), "--wait-for", str(release))
    wait_until(lambda: crawl_events(log), "the crawl to start")
    process.kill()
    process.wait(timeout=PATIENCE)  # not communicate(): the orphaned crawl holds the pipes open

    lock = SpiderLock(tmp_path / "locks", "fake")
    assert not lock.acquire()  # the orphaned crawl still holds it
    release.touch()
    wait_until(lock.acquire, "the orphaned crawl to end")
    process.communicate(timeout=PATIENCE)


def test_once_exits_1_when_a_crawl_fails_its_monitors(tmp_path):
    process = newsmon_schedule(
        tmp_path, "--once", "--every", "fake=1h", "--", "--log", str(tmp_path / "crawls.log"),
        "--exit", str(EXIT_MONITORS_FAILED),
    )  # fmt: skip
    _, err = process.communicate(timeout=PATIENCE)
    assert process.returncode == 1
    assert f"exit status {EXIT_MONITORS_FAILED}, monitors FAILED" in err


def test_once_runs_every_scheduled_spider(tmp_path):
    runs = Scheduler(
        {"a": 3600, "b": 3600},
        lock_dir=tmp_path / "locks",
        project_dir=tmp_path,
        crawl_command=FAKE_CRAWL,
        crawl_args=["--log", str(tmp_path / "crawls.log")],
        once=True,
        poll_interval=0.02,
    )
    runs.run()
    assert sorted(result.spider for result in runs.results) == ["a", "b"]
    assert all(isinstance(result, CrawlResult) and result.exit_status == 0 for result in runs.results)
    assert sorted(spider for event, spider, *_ in crawl_events(tmp_path / "crawls.log") if event == "end") == ["a", "b"]


def test_schedule_rejects_a_bad_interval(tmp_path):
    result = subprocess.run(
        [*NEWSMON, "schedule", "--once", "--every", "apa=soon"], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ}, timeout=PATIENCE,
    )  # fmt: skip
    assert result.returncode != 0 and "not an interval" in result.stderr


def test_schedule_names_the_variable_holding_bad_json(tmp_path):
    result = subprocess.run(
        [*NEWSMON, "schedule", "--once"], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "NEWSMON_SCHEDULE": '{"apa": 15m}'}, timeout=PATIENCE,
    )  # fmt: skip
    assert result.returncode != 0
    assert "newsmon schedule: $NEWSMON_SCHEDULE: Expecting ',' delimiter" in result.stderr
