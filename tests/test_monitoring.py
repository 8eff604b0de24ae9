"""Crawl monitoring: run documents, Spidermon monitors, exit status, webhook, Prometheus, `newsmon runs`.

Crawls are real `scrapy crawl` subprocesses (the exit status is part of what is tested) of
tests/monitoring_spider.py against pages served from a temporary directory, each with its
own SQLite store.
"""
import dataclasses
import functools
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from newsmon.cli import main as newsmon_main
from newsmon.monitoring import EXIT_MONITORS_FAILED, Coverage, field_coverage
from newsmon.monitoring.prometheus import write_run_metrics
from newsmon.monitoring.recorder import build_run
from newsmon.monitoring.webhook import post_json_in_background
from newsmon.replay import ReplayServer, ReplaySite, build_replay, expected_articles
from newsmon.store import open_store
from newsmon.store.spool import SPOOL_DIR_ENV_VAR

PROJECT_DIR = Path(__file__).parents[1]
TESTS_DIR = Path(__file__).parent
PATIENCE = 60  # seconds before a test gives up waiting (never reached when things work)

FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "INFO"}
FAKE_SPIDER_SETTINGS = {**FAST, "SPIDER_MODULES": "monitoring_spider", "ROBOTSTXT_OBEY": "False"}
REPLAY_EDITION = "en.apa.az"

ARTICLE_PAGE = """<html><head><title>{title}</title></head><body>
<h1>{title}</h1><div class="{date_class}">{day} April 2024 18:40</div><div class="category">Economy</div>
{image}<div class="article-body"><p>{body}</p><p>Talks go on tomorrow in Baku, officials said.</p></div>
</body></html>"""


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class NewsSite:
    """A listing page and article pages in a directory, served over HTTP on a free port."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def publish(self, count: int, *, date_class: str = "date") -> None:
        """`count` articles, every other one with an image; date_class="moved" breaks the dates."""
        links = []
        for n in range(1, count + 1):
            image = f'<img class="main" src="/img/{n}.jpg">' if n % 2 else ""
            title = f"Story number {n} on regional trade"
            body = f"Delegations met for round {n} of the talks on trade, transport and energy."
            page = ARTICLE_PAGE.format(title=title, date_class=date_class, day=n % 28 + 1, image=image, body=body)
            (self.root / f"article-{n}.html").write_text(page)
            links.append(f'<a class="article" href="article-{n}.html">{title}</a>')
        (self.root / "index.html").write_text(f"<html><body>{''.join(links)}</body></html>")


@pytest.fixture
def news_site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    server = serve(functools.partial(_QuietFiles, directory=str(root)))
    yield NewsSite(root, f"http://127.0.0.1:{server.server_port}/index.html")
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook():
    """A URL that accepts JSON POSTs, and the queue of the payloads it received."""
    received: queue.Queue = queue.Queue()

    class Capture(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put((self.headers["Content-Type"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = serve(Capture)
    yield f"http://127.0.0.1:{server.server_port}/hooks/secret-token", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def store_uri(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/newsmon.db"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def crawl_env() -> dict[str, str]:
    """The environment without newsmon/Scrapy configuration (but the test's spool root), the
    test spider importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSMON_", "SCRAPY_"))}
    env[SPOOL_DIR_ENV_VAR] = os.environ[SPOOL_DIR_ENV_VAR]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")]))
    return env


def setting_args(settings: dict) -> list[str]:
    args = []
    for key, value in settings.items():
        args += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return args


def scrapy_crawl(site: NewsSite, store_uri: str, tmp_path: Path, **settings) -> subprocess.CompletedProcess:
    settings = {
        **FAKE_SPIDER_SETTINGS,
        "NEWSMON_STORE": store_uri,
        "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "metrics" / "newsmon-{spider}.prom"),
        **settings,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "fakenews", "-a", f"start_url={site.url}", *setting_args(settings)]
    return subprocess.run(command, cwd=PROJECT_DIR, env=crawl_env(), capture_output=True, text=True, timeout=180)


def last_run(store_uri: str, spider: str = "fakenews") -> dict:
    with open_store(store_uri) as store:
        (run,) = store.recent_runs(spider, limit=1)
    return run


def monitor_statuses(run: dict) -> dict[str, str]:
    return {monitor["name"]: monitor["status"] for monitor in run["monitors"]}


def seed_history(store_uri: str, scraped_counts: list[int], spider: str = "fakenews", scope: str = "") -> None:
    start = datetime(2024, 4, 1, tzinfo=timezone.utc)
    with open_store(store_uri) as store:
        for n, scraped in enumerate(scraped_counts):
            store.record_run(
                {"spider": spider, "scope": scope or spider, "started_at": start + timedelta(hours=n),
                 "finish_reason": "finished", "items": {"scraped": scraped}}
            )  # fmt: skip


def metrics(path: Path) -> dict[tuple[str, tuple], float]:
    """Every sample of a Prometheus textfile: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
    }


# -- whole crawls ---------------------------------------------------------------------------


def test_healthy_crawl_is_recorded_and_passes(news_site, store_uri, tmp_path):
    news_site.publish(3)
    result = scrapy_crawl(news_site, store_uri, tmp_path)
    assert result.returncode == 0, result.stderr

    run = last_run(store_uri)
    assert run["spider"] == "fakenews" and run["finish_reason"] == "finished"
    assert run["started_at"] <= run["finished_at"]
    assert run["requests"] == 4 and run["responses_by_status"] == {"200": 4}
    assert run["items"] == {
        "extracted": 3, "scraped": 3, "stored": 3, "inserted": 3, "revised": 0, "unchanged": 0, "spooled": 0,
        "duplicates": 0, "dropped": {},
    }  # fmt: skip
    assert run["coverage"]["published_at"] == run["coverage"]["body"] == 1.0
    assert run["coverage"]["image_url"] == pytest.approx(2 / 3)
    assert run["coverage"]["authors"] == 0.0
    assert monitor_statuses(run) == {
        "Finish Reason Monitor": "PASS",
        "Error Count Monitor": "SKIP",  # Spidermon skips it when nothing was logged at ERROR
        "Item Count History Monitor": "SKIP",  # no history yet
        "Field Coverage Monitor": "PASS",
    }
    assert run["monitors_failed"] == 0

    samples = metrics(tmp_path / "metrics" / "newsmon-fakenews.prom")
    spider = ("spider", "fakenews")
    assert samples[("newsmon_last_run_success", (spider,))] == 1
    assert samples[("newsmon_last_run_articles", (("outcome", "stored"), spider))] == 3
    assert samples[("newsmon_last_run_field_coverage_ratio", (("field", "published_at"), spider))] == 1.0
    assert samples[("newsmon_last_run_monitor_failed", (("monitor", "Field Coverage Monitor"), spider))] == 0


def test_broken_date_selector_fails_the_coverage_monitor(news_site, store_uri, tmp_path, webhook):
    webhook_url, received = webhook
    news_site.publish(3, date_class="moved")  # the site changed its markup: no .date any more
    result = scrapy_crawl(news_site, store_uri, tmp_path, NEWSMON_MONITOR_WEBHOOK_URL=webhook_url)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    failure_lines = [line for line in result.stderr.splitlines() if "ERROR: monitor failed:" in line]
    assert len(failure_lines) == 1
    assert "Field Coverage Monitor: published_at on 0 of 3 article pages (0.0%, minimum 100.0%)" in failure_lines[0]

    run = last_run(store_uri)
    assert run["items"]["dropped"] == {"no_date": 3} and run["items"]["stored"] == 0
    assert run["coverage"]["published_at"] == 0.0
    assert monitor_statuses(run)["Field Coverage Monitor"] == "FAIL"
    assert run["monitors_failed"] == 1

    content_type, payload = received.get(timeout=PATIENCE)
    assert content_type == "application/json"
    assert payload["spider"] == "fakenews" and payload["finish_reason"] == "finished"
    assert [m["name"] for m in payload["failed_monitors"]] == ["Field Coverage Monitor"]
    assert "published_at on 0 of 3" in payload["text"]
    assert "secret-token" not in result.stderr  # webhook URLs are not logged


@pytest.mark.parametrize(
    ("history", "status", "exit_status"),
    [
        ([40, 38, 41, 39, 40], "FAIL", EXIT_MONITORS_FAILED),  # 2 items against a median of 40
        ([3, 4, 3, 2, 3], "PASS", 0),
        ([40, 40], "SKIP", 0),  # not enough history to judge
    ],
)
def test_item_count_is_compared_with_the_history(news_site, store_uri, tmp_path, history, status, exit_status):
    seed_history(store_uri, history)
    news_site.publish(2)
    result = scrapy_crawl(news_site, store_uri, tmp_path)

    assert result.returncode == exit_status, result.stderr
    run = last_run(store_uri)
    assert monitor_statuses(run)["Item Count History Monitor"] == status
    if status == "FAIL":
        assert "monitor failed: Item Count History Monitor: 2 items scraped, below 50% of the median 40" in result.stderr


def test_failing_webhook_never_breaks_the_crawl(news_site, store_uri, tmp_path):
    news_site.publish(2, date_class="moved")
    result = scrapy_crawl(news_site, store_uri, tmp_path, NEWSMON_MONITOR_WEBHOOK_URL=closed_port_url())
    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    assert "ERROR: monitor webhook 127.0.0.1:" in result.stderr and "failed" in result.stderr
    assert last_run(store_uri)["monitors_failed"] == 1


def test_scheduler_reports_failed_monitors(news_site, store_uri, tmp_path):
    news_site.publish(2, date_class="moved")
    settings = {**FAKE_SPIDER_SETTINGS, "NEWSMON_STORE": store_uri, "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "m.prom")}
    crawl_args = ["-a", f"start_url={news_site.url}", *setting_args(settings)]
    result = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "schedule", "--once", "--every", "fakenews=1h",
         "--lock-dir", str(tmp_path / "locks"), "--", *crawl_args],
        cwd=PROJECT_DIR, env=crawl_env(), capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    assert "crawl fakenews: started" in result.stderr
    assert f"exit status {EXIT_MONITORS_FAILED}, monitors FAILED" in result.stderr


# -- the APA spider on the replay site ------------------------------------------------------


def replay_crawl(site: ReplaySite, store_uri: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`scrapy crawl apa` of the replay's English edition, with the project's own settings."""
    settings = {**FAST, "NEWSMON_STORE": store_uri, "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "apa.prom")}
    with ReplayServer(site) as server:
        command = [
            sys.executable, "-m", "scrapy", "crawl", "apa", "-a", "editions=en",
            "-a", f"base_url={server.base_url(REPLAY_EDITION)}", *setting_args(settings),
        ]  # fmt: skip
        return subprocess.run(command, cwd=PROJECT_DIR, env=crawl_env(), capture_output=True, text=True, timeout=180)


def move_the_dateline(site: ReplaySite) -> ReplaySite:
    """The site after a redesign: the dateline is no longer in div.date_news."""
    pages = site.pages[REPLAY_EDITION]
    for path in site.article_paths(REPLAY_EDITION) & pages.keys():
        pages[path] = dataclasses.replace(pages[path], body=pages[path].body.replace(b'"date_news"', b'"news_meta"'))
    return site


def english_articles() -> int:
    return sum(1 for record in expected_articles().values() if record["site"] == REPLAY_EDITION)


def test_replay_crawl_passes_its_monitors(store_uri, tmp_path):
    result = replay_crawl(build_replay(), store_uri, tmp_path)
    assert result.returncode == 0, result.stderr
    run = last_run(store_uri, "apa")
    assert run["items"]["stored"] == english_articles()
    assert run["coverage"]["published_at"] == run["coverage"]["body"] == 1.0
    assert run["monitors_failed"] == 0 and "FAIL" not in monitor_statuses(run).values()


def test_replay_with_a_changed_date_markup_fails_the_coverage_monitor(store_uri, tmp_path):
    result = replay_crawl(move_the_dateline(build_replay()), store_uri, tmp_path)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    assert "monitor failed: Field Coverage Monitor: published_at on 0 of" in result.stderr
    run = last_run(store_uri, "apa")
    assert run["items"]["stored"] == 0 and run["coverage"]["published_at"] == 0.0
    assert run["spider_stats"]["no_date"] == english_articles()  # every article page turned down
    assert monitor_statuses(run)["Field Coverage Monitor"] == "FAIL"


def test_replay_crawl_far_below_its_history_fails_the_item_count_monitor(store_uri, tmp_path):
    seed_history(store_uri, [10 * english_articles()] * 4, spider="apa", scope="apa:en")
    result = replay_crawl(build_replay(), store_uri, tmp_path)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    assert "monitor failed: Item Count History Monitor" in result.stderr
    assert monitor_statuses(last_run(store_uri, "apa"))["Item Count History Monitor"] == "FAIL"


def test_history_of_other_editions_is_not_compared(store_uri, tmp_path):
    # Big all-edition runs must not make a crawl of the English edition alone look short.
    seed_history(store_uri, [10 * english_articles()] * 4, spider="apa", scope="apa:az,en,ru")
    result = replay_crawl(build_replay(), store_uri, tmp_path)

    assert result.returncode == 0, result.stderr
    run = last_run(store_uri, "apa")
    assert run["scope"] == "apa:en"
    assert monitor_statuses(run)["Item Count History Monitor"] == "SKIP"


def test_sigterm_to_the_scheduler_stops_the_crawl_which_records_its_run(store_uri, tmp_path):
    settings = {
        **FAST, "DOWNLOAD_DELAY": "0.3", "RANDOMIZE_DOWNLOAD_DELAY": "False",  # 20 pages: 6 s at least
        "NEWSMON_STORE": store_uri, "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "apa.prom"),
    }  # fmt: skip
    with ReplayServer(build_replay()) as server:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", "schedule", "--every", "apa=1h", "--lock-dir", str(tmp_path / "locks"),
             "--", "-a", "editions=en", "-a", f"base_url={server.base_url(REPLAY_EDITION)}", *setting_args(settings)],
            cwd=PROJECT_DIR, env=crawl_env(), stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + PATIENCE
        while len(server.hits) < 3 and time.monotonic() < deadline:  # the crawl is under way
            time.sleep(0.02)
        scheduler.send_signal(signal.SIGTERM)
        _, err = scheduler.communicate(timeout=PATIENCE)

    assert scheduler.returncode == 0, err
    assert "Received SIGTERM, shutting down gracefully" in err
    assert f"exit status {EXIT_MONITORS_FAILED}, monitors FAILED" in err
    run = last_run(store_uri, "apa")
    assert run["finish_reason"] == "shutdown"
    assert monitor_statuses(run)["Finish Reason Monitor"] == "FAIL"


# -- parts ----------------------------------------------------------------------------------

CRAWL_STATS = {
    "start_time": datetime(2024, 4, 28, 10, 0, tzinfo=timezone.utc),
    "finish_time": datetime(2024, 4, 28, 10, 2, 5, tzinfo=timezone.utc),
    "elapsed_time_seconds": 125.0,
    "downloader/request_count": 14,
    "downloader/response_status_count/200": 12,
    "downloader/response_status_count/404": 1,
    "downloader/response_status_count/503": 1,
    "log_count/ERROR": 1,
    "item_scraped_count": 7,
    "newsmon/coverage/articles": 9,
    "newsmon/coverage/title": 9,
    "newsmon/coverage/body": 9,
    "newsmon/coverage/published_at": 8,
    "newsmon/coverage/image_url": 6,
    "newsmon/store/inserted": 6,
    "newsmon/store/revised": 1,
    "newsmon/dedupe/duplicate": 1,
    "newsmon/dropped/duplicate": 1,
    "newsmon/dropped/no_date": 1,
    "newsmon/apa/no_date": 3,  # pages the spider turned down
    "newsmon/apa/http_404": 1,
    "newsmon/monitors/failed": 1,
    "newsmon/monitors/results": [{"name": "Field Coverage Monitor", "status": "FAIL", "message": "published_at"}],
}


def test_field_coverage_counts_pages_the_spider_turned_down():
    coverage = field_coverage(CRAWL_STATS, "apa")
    assert coverage["published_at"] == Coverage(present=8, pages=12)  # 9 extracted + 3 undated pages
    assert coverage["body"] == Coverage(9, 9) and coverage["image_url"] == Coverage(6, 9)
    assert field_coverage({"newsmon/apa/no_date": 2, "newsmon/coverage/published_at": 0}, "apa") == {
        "published_at": Coverage(0, 2)
    }
    assert field_coverage({}, "apa") == {}


def test_run_document_from_stats():
    run = build_run("apa", CRAWL_STATS, "finished")
    assert run["started_at"] == CRAWL_STATS["start_time"] and run["duration_seconds"] == 125.0
    assert run["requests"] == 14 and run["responses_by_status"] == {"200": 12, "404": 1, "503": 1}
    assert run["items"] == {
        "extracted": 9, "scraped": 7, "stored": 7, "inserted": 6, "revised": 1, "unchanged": 0, "spooled": 0,
        "duplicates": 1, "dropped": {"duplicate": 1, "no_date": 1},
    }  # fmt: skip
    # Articles spooled while the store was unreachable are not stored yet.
    spooling = build_run("apa", {**CRAWL_STATS, "newsmon/store/spooled": 2}, "finished")
    assert spooling["items"]["spooled"] == 2 and spooling["items"]["stored"] == 7
    assert run["coverage"]["published_at"] == pytest.approx(8 / 12)
    assert run["spider_stats"] == {"http_404": 1, "no_date": 3}
    assert run["errors"] == 1 and run["monitors_failed"] == 1


def test_prometheus_textfile(tmp_path):
    path = tmp_path / "metrics" / "apa.prom"
    write_run_metrics(build_run("apa", {**CRAWL_STATS, "newsmon/store/spooled": 2}, "finished"), path)
    samples = metrics(path)
    spider = ("spider", "apa")
    assert samples[("newsmon_last_run_articles", (("outcome", "stored"), spider))] == 7
    assert samples[("newsmon_last_run_articles", (("outcome", "spooled"), spider))] == 2
    assert samples[("newsmon_last_run_start_timestamp_seconds", (spider,))] == CRAWL_STATS["start_time"].timestamp()
    assert samples[("newsmon_last_run_duration_seconds", (spider,))] == 125.0
    assert samples[("newsmon_last_run_success", (spider,))] == 0  # a monitor failed
    assert samples[("newsmon_last_run_responses", (spider, ("status", "503")))] == 1
    assert samples[("newsmon_last_run_articles_dropped", (("reason", "no_date"), spider))] == 1
    assert samples[("newsmon_last_run_monitor_failed", (("monitor", "Field Coverage Monitor"), spider))] == 1
    assert list(path.parent.iterdir()) == [path]  # written atomically: no temporary file left


def test_webhook_failure_is_logged_not_raised(caplog):
    post_json_in_background(closed_port_url(), {"text": "x"}, timeout=5).join(PATIENCE)
    assert any(r.levelname == "ERROR" and "monitor webhook" in r.getMessage() for r in caplog.records)


# -- newsmon runs ---------------------------------------------------------------------------


def test_runs_lists_recent_runs_with_monitor_results(store_uri, capsys):
    with open_store(store_uri) as store:
        store.record_run(build_run("apa", CRAWL_STATS, "finished"))
        store.record_run(
            build_run("other", {**CRAWL_STATS, "start_time": datetime(2024, 4, 27, tzinfo=timezone.utc),
                                "newsmon/monitors/failed": 0,
                                "newsmon/monitors/results": [{"name": "Finish Reason Monitor", "status": "PASS",
                                                              "message": ""}]}, "finished")
        )  # fmt: skip

    assert newsmon_main(["runs", "--store", store_uri]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "started", "(UTC)", "spider", "duration", "finish", "requests", "stored", "dup", "dropped",
        "published_at", "body", "monitors",
    ]  # fmt: skip
    assert lines[1].split() == [
        "2024-04-28", "10:00:00", "apa", "2m05.0s", "finished", "14", "7", "1", "2", "66.7%", "100%", "FAIL", "(1)",
    ]  # fmt: skip
    assert lines[2].strip() == "FAIL Field Coverage Monitor: published_at"
    assert lines[3].split()[2] == "other" and lines[3].split()[-1] == "PASS"

    assert newsmon_main(["runs", "--store", store_uri, "--spider", "other", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["spider"] == "other" and run["started_at"] == "2024-04-27T00:00:00+00:00"

    assert newsmon_main(["runs", "--store", store_uri, "--spider", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "no runs recorded for spider nobody"
