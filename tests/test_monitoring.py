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
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newsmon.cli import main as newsmon_main
from newsmon.items import Article
from newsmon.monitoring import (
    EXIT_MONITORS_FAILED,
    STOP_MARKER_ENV_VAR,
    Coverage,
    articles_seen,
    field_coverage,
    is_page_rejection,
    page_rejections,
    stop_was_requested,
)
from newsmon.monitoring.prometheus import textfile_path, write_run_metrics
from newsmon.monitoring.recorder import RunRecorder, build_run
from newsmon.monitoring.webhook import post_json_in_background
from newsmon.pipelines import Dropped
from newsmon.replay import ReplayServer, ReplaySite, build_replay, expected_articles
from newsmon.replay.outlets.apa import render_rss
from newsmon.sites.apa import EDITIONS, LISTING_PATH, RSS_PATH
from newsmon.sites.base import PAGE_ERROR_REASONS
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


def seed_history(store_uri: str, seen_counts: list[int], spider: str = "fakenews", scope: str = "") -> None:
    """Earlier finished runs that saw `seen_counts` articles (and scraped as many)."""
    start = datetime(2024, 4, 1, tzinfo=timezone.utc)
    with open_store(store_uri) as store:
        for n, seen in enumerate(seen_counts):
            store.record_run(
                {"spider": spider, "scope": scope or spider, "started_at": start + timedelta(hours=n),
                 "finish_reason": "finished", "items": {"seen": seen, "scraped": seen}}
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
        "seen": 3,  # the spider counts no links: its items scraped stand in
        "extracted": 3, "scraped": 3, "stored": 3, "inserted": 3, "revised": 0, "unchanged": 0, "spooled": 0,
        "lost": 0, "duplicates": 0, "dropped": {},
    }  # fmt: skip
    assert run["pages"] == {"rejected": {}}
    assert run["coverage"]["published_at"] == run["coverage"]["body"] == 1.0
    assert run["coverage"]["image_url"] == pytest.approx(2 / 3)
    assert run["coverage"]["authors"] == 0.0
    assert monitor_statuses(run) == {
        "Finish Reason Monitor": "PASS",
        "Error Count Monitor": "SKIP",  # Spidermon skips it when nothing was logged at ERROR
        "Item Count History Monitor": "SKIP",  # no history yet
        "Field Coverage Monitor": "PASS",
        "Blocked Site Monitor": "PASS",
    }
    assert run["monitors_failed"] == 0

    samples = metrics(tmp_path / "metrics" / "newsmon-fakenews.prom")
    run_labels = (("scope", "fakenews"), ("spider", "fakenews"))
    assert samples[("newsmon_last_run_success", run_labels)] == 1
    assert samples[("newsmon_last_run_articles", (("outcome", "stored"), *run_labels))] == 3
    assert samples[("newsmon_last_run_field_coverage_ratio", (("field", "published_at"), *run_labels))] == 1.0
    assert samples[("newsmon_last_run_monitor_failed", (("monitor", "Field Coverage Monitor"), *run_labels))] == 0


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
    assert payload["spider"] == payload["scope"] == "fakenews" and payload["finish_reason"] == "finished"
    assert [m["name"] for m in payload["failed_monitors"]] == ["Field Coverage Monitor"]
    assert "published_at on 0 of 3" in payload["text"]
    assert "secret-token" not in result.stderr  # webhook URLs are not logged


@pytest.mark.parametrize(
    ("history", "status", "exit_status"),
    [
        ([40, 38, 41, 39, 40], "FAIL", EXIT_MONITORS_FAILED),  # 2 articles against a median of 40
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
        assert "monitor failed: Item Count History Monitor: 2 articles seen, below 50% of the median 40" in result.stderr


def test_runs_recorded_before_articles_seen_are_not_history(news_site, store_uri, tmp_path):
    # Their items scraped followed the news flow: compared with articles seen they would mislead.
    start = datetime(2024, 4, 1, tzinfo=timezone.utc)
    with open_store(store_uri) as store:
        for hour in range(5):
            store.record_run({"spider": "fakenews", "scope": "fakenews", "started_at": start + timedelta(hours=hour),
                              "finish_reason": "finished", "items": {"scraped": 40}})  # fmt: skip
    news_site.publish(2)
    result = scrapy_crawl(news_site, store_uri, tmp_path)

    assert result.returncode == 0, result.stderr
    assert monitor_statuses(last_run(store_uri))["Item Count History Monitor"] == "SKIP"


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


def replay_crawl(
    site: ReplaySite, store_uri: str, tmp_path: Path, edition: str = "en", **settings
) -> subprocess.CompletedProcess:
    """`scrapy crawl apa` of one edition of the replay (English by default), with the project's
    own settings; metrics go to tmp_path/newsmon-<scope>.prom."""
    settings = {
        **FAST,
        "NEWSMON_STORE": store_uri,
        "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom"),
        **settings,
    }
    with ReplayServer(site) as server:
        command = [
            sys.executable, "-m", "scrapy", "crawl", "apa", "-a", f"editions={edition}",
            "-a", f"base_url={server.base_url(EDITIONS[edition].host)}", *setting_args(settings),
        ]  # fmt: skip
        return subprocess.run(command, cwd=PROJECT_DIR, env=crawl_env(), capture_output=True, text=True, timeout=180)


def move_the_dateline(site: ReplaySite) -> ReplaySite:
    """The site after a redesign: the dateline is no longer in div.date_news."""
    pages = site.pages[REPLAY_EDITION]
    for path in site.article_paths(REPLAY_EDITION) & pages.keys():
        pages[path] = dataclasses.replace(pages[path], body=pages[path].body.replace(b'"date_news"', b'"news_meta"'))
    return site


def hide_the_article_links(site: ReplaySite) -> ReplaySite:
    """The site after a redesign the spider's selectors miss: the listing's news items are no
    longer in div.four_columns_block, and the feed is empty. (A feed left intact would still show
    its 7 links: more than half of the 13 an incremental crawl of the healthy edition sees.)"""
    pages = site.pages[REPLAY_EDITION]
    for target in [target for target in pages if target.split("?")[0] == LISTING_PATH]:
        pages[target] = dataclasses.replace(
            pages[target], body=pages[target].body.replace(b"four_columns_block", b"news_grid")
        )
    pages[RSS_PATH] = dataclasses.replace(pages[RSS_PATH], body=render_rss(EDITIONS["en"], []))
    return site


def english_articles() -> int:
    return sum(1 for record in expected_articles(build_replay(["apa"])).values() if record["site"] == REPLAY_EDITION)


def test_replay_crawl_passes_its_monitors(store_uri, tmp_path):
    result = replay_crawl(build_replay(["apa"]), store_uri, tmp_path)
    assert result.returncode == 0, result.stderr
    run = last_run(store_uri, "apa")
    assert run["items"]["stored"] == english_articles()
    assert run["coverage"]["published_at"] == run["coverage"]["body"] == 1.0
    assert run["monitors_failed"] == 0 and "FAIL" not in monitor_statuses(run).values()


def test_replay_with_a_changed_date_markup_fails_the_coverage_monitor(store_uri, tmp_path):
    result = replay_crawl(move_the_dateline(build_replay(["apa"])), store_uri, tmp_path)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    assert "monitor failed: Field Coverage Monitor: published_at on 0 of" in result.stderr
    run = last_run(store_uri, "apa")
    assert run["items"]["stored"] == 0 and run["coverage"]["published_at"] == 0.0
    assert run["spider_stats"]["no_date"] == english_articles()  # every article page turned down
    assert monitor_statuses(run)["Field Coverage Monitor"] == "FAIL"


def test_incremental_rerun_of_an_unchanged_site_passes_the_item_count_monitor(store_uri, tmp_path):
    # Like a crawl on a quiet night: nothing new to scrape, but the site's articles are all there.
    first = replay_crawl(build_replay(["apa"]), store_uri, tmp_path)
    assert first.returncode == 0, first.stderr
    rerun = replay_crawl(build_replay(["apa"]), store_uri, tmp_path, NEWSMON_MONITOR_MIN_HISTORY_RUNS=1)

    assert rerun.returncode == 0, rerun.stderr
    with open_store(store_uri) as store:
        latest, earlier = store.recent_runs("apa", limit=2)
    assert earlier["items"]["seen"] == len(build_replay(["apa"]).stories["apa:en"])  # every story once
    assert latest["items"]["scraped"] == 0
    assert latest["items"]["seen"] == latest["spider_stats"]["known_skipped"] > 0
    assert monitor_statuses(latest)["Item Count History Monitor"] == "PASS"


def test_replay_without_article_links_fails_the_item_count_monitor(store_uri, tmp_path):
    healthy = replay_crawl(build_replay(["apa"]), store_uri, tmp_path)
    assert healthy.returncode == 0, healthy.stderr
    broken = hide_the_article_links(build_replay(["apa"]))
    result = replay_crawl(broken, store_uri, tmp_path, NEWSMON_MONITOR_MIN_HISTORY_RUNS=1)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    median = len(build_replay(["apa"]).stories["apa:en"])
    assert (
        f"monitor failed: Item Count History Monitor: 0 articles seen, below 50% of the median {median}"
        " of the last 1 finished runs"
    ) in result.stderr
    run = last_run(store_uri, "apa")
    assert run["items"]["seen"] == 0
    assert monitor_statuses(run)["Item Count History Monitor"] == "FAIL"


def test_replay_crawl_far_below_its_history_fails_the_item_count_monitor(store_uri, tmp_path):
    seed_history(store_uri, [10 * english_articles()] * 4, spider="apa", scope="apa:en")
    result = replay_crawl(build_replay(["apa"]), store_uri, tmp_path)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr
    assert "monitor failed: Item Count History Monitor" in result.stderr
    assert monitor_statuses(last_run(store_uri, "apa"))["Item Count History Monitor"] == "FAIL"


def test_history_of_other_editions_is_not_compared(store_uri, tmp_path):
    # Big all-edition runs must not make a crawl of the English edition alone look short.
    seed_history(store_uri, [10 * english_articles()] * 4, spider="apa", scope="apa:az,en,ru")
    result = replay_crawl(build_replay(["apa"]), store_uri, tmp_path)

    assert result.returncode == 0, result.stderr
    run = last_run(store_uri, "apa")
    assert run["scope"] == "apa:en"
    assert monitor_statuses(run)["Item Count History Monitor"] == "SKIP"


def undate_one_article_and_delete_another(site: ReplaySite) -> None:
    """Two of the edition's plain articles (no quirks) go wrong: one page loses its dateline, the
    other answers 404, while the listing and the feed still link both."""
    pages = site.pages[REPLAY_EDITION]
    undated, deleted = [story.path for story in site.stories["apa:en"] if not story.quirks][:2]
    undated_body = pages[undated].body.replace(b'"date_news"', b'"news_meta"')
    pages[undated] = dataclasses.replace(pages[undated], body=undated_body)
    del pages[deleted]  # the replay's 404 page answers


def test_pages_the_spider_rejected_are_recorded_by_reason(store_uri, tmp_path, capsys):
    site = build_replay(["apa"])
    undate_one_article_and_delete_another(site)
    # Besides those two, the pages of the corpus that are never stored (a truncated one, ...).
    expected = Counter(story.dropped_as for story in site.stories["apa:en"] if story.dropped_as)
    expected.update(["no_date", "http_404"])
    result = replay_crawl(site, store_uri, tmp_path)

    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr  # published_at coverage below 100%
    run = last_run(store_uri, "apa")
    assert run["pages"] == {"rejected": dict(sorted(expected.items()))}
    assert run["items"]["dropped"] == {}  # the chain dropped nothing: the spider turned them down

    samples = metrics(tmp_path / "newsmon-apa-en.prom")  # the textfile is named by the scope
    run_labels = (("scope", "apa:en"), ("spider", "apa"))
    for reason in ("no_date", "http_404"):
        assert samples[("newsmon_last_run_pages_rejected", (("reason", reason), *run_labels))] == expected[reason]

    assert newsmon_main(["runs", "--store", store_uri]) == 0
    header, row, *_ = capsys.readouterr().out.splitlines()
    columns = dict(zip(header.split(), row.split()))  # "started (UTC)" and its value are two words each
    assert columns["scope"] == "apa:en" and columns["dropped"] == "0"
    assert columns["rejected"] == str(sum(expected.values()))


def test_sigterm_to_the_scheduler_stops_the_crawl_which_records_its_run(store_uri, tmp_path):
    settings = {
        **FAST, "DOWNLOAD_DELAY": "0.3", "RANDOMIZE_DOWNLOAD_DELAY": "False",  # 20 pages: 6 s at least
        "NEWSMON_STORE": store_uri, "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "apa.prom"),
    }  # fmt: skip
    with ReplayServer(build_replay(["apa"])) as server:
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
    # The scheduler asked for the shutdown: no alert, and a run cut short is not held against the history.
    assert "exit status 0, monitors passed" in err
    run = last_run(store_uri, "apa")
    assert run["finish_reason"] == "shutdown"
    assert monitor_statuses(run)["Finish Reason Monitor"] == "PASS"
    assert monitor_statuses(run)["Item Count History Monitor"] == "SKIP"
    assert not list((tmp_path / "locks").glob("*.stopping"))


def test_a_shutdown_nobody_asked_for_is_still_unexpected(tmp_path, monkeypatch):
    marker = tmp_path / "apa.stopping"
    monkeypatch.setenv(STOP_MARKER_ENV_VAR, str(marker))
    assert not stop_was_requested("shutdown")  # SIGTERM from elsewhere: the scheduler made no marker
    marker.touch()
    assert stop_was_requested("shutdown") and not stop_was_requested("finished")
    monkeypatch.delenv(STOP_MARKER_ENV_VAR)
    assert not stop_was_requested("shutdown")  # a crawl not started by the scheduler


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
    "newsmon/apa/articles": 9,  # article links: requested, and the page gave an article
    "newsmon/apa/known_skipped": 20,  # ... not requested: stored already
    "newsmon/apa/older_skipped": 2,  # ... not requested: older than `since`
    "newsmon/apa/no_date": 3,  # ... requested, and the spider turned the page down
    "newsmon/apa/http_404": 1,
    "newsmon/apa/not_article_skipped": 5,  # links that are not articles
    "newsmon/apa/redirected": 1,
    "newsmon/apa/stop/all_known": 1,
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


def test_articles_seen_are_the_links_the_spider_found():
    assert articles_seen(CRAWL_STATS, "apa") == 20 + 2 + 9 + 3 + 1
    # An incremental crawl of a quiet site: nothing requested, every link known.
    assert articles_seen({"newsmon/apa/known_skipped": 12, "newsmon/apa/stop/all_known": 1}, "apa") == 12
    # A listing whose links the spider no longer finds.
    assert articles_seen({"newsmon/apa/stop/empty_page": 1, "newsmon/apa/not_article_skipped": 3}, "apa") == 0
    # A spider that counts no links is judged by its items scraped.
    assert articles_seen({"item_scraped_count": 4}, "fakenews") == 4


def test_pages_turned_down_by_reason():
    assert page_rejections(CRAWL_STATS, "apa") == {"http_404": 1, "no_date": 3}
    failures = {"newsmon/apa/timeout": 2, "newsmon/apa/http_5xx": 1, "newsmon/other/no_body": 1}
    assert page_rejections(failures, "apa") == {"http_5xx": 1, "timeout": 2}
    # Every reason the APA site module turns a page down for is one the run documents count.
    assert all(is_page_rejection(reason) for reason in PAGE_ERROR_REASONS)
    assert not any(is_page_rejection(name) for name in ("articles", "known_skipped", "redirected", "stop/max_pages"))


def test_run_document_from_stats():
    run = build_run("apa", CRAWL_STATS, "finished")
    assert run["started_at"] == CRAWL_STATS["start_time"] and run["duration_seconds"] == 125.0
    assert run["requests"] == 14 and run["responses_by_status"] == {"200": 12, "404": 1, "503": 1}
    assert run["items"] == {
        "seen": 35, "extracted": 9, "scraped": 7, "stored": 7, "inserted": 6, "revised": 1, "unchanged": 0,
        "spooled": 0, "lost": 0, "duplicates": 1, "dropped": {"duplicate": 1, "no_date": 1},
    }  # fmt: skip
    assert run["pages"] == {"rejected": {"http_404": 1, "no_date": 3}}
    # Articles spooled while the store was unreachable are not stored yet.
    spooling = build_run("apa", {**CRAWL_STATS, "newsmon/store/spooled": 2}, "finished")
    assert spooling["items"]["spooled"] == 2 and spooling["items"]["stored"] == 7
    assert run["coverage"]["published_at"] == pytest.approx(8 / 12)
    assert run["spider_stats"] == {
        "articles": 9, "http_404": 1, "known_skipped": 20, "no_date": 3, "not_article_skipped": 5,
        "older_skipped": 2, "redirected": 1, "stop/all_known": 1,
    }  # fmt: skip
    assert run["errors"] == 1 and run["monitors_failed"] == 1


def test_prometheus_textfile(tmp_path):
    path = tmp_path / "metrics" / "apa.prom"
    run = build_run("apa", {**CRAWL_STATS, "newsmon/store/spooled": 2}, "finished", scope="apa:en")
    write_run_metrics(run, path)
    samples = metrics(path)
    run_labels = (("scope", "apa:en"), ("spider", "apa"))
    assert samples[("newsmon_last_run_articles", (("outcome", "seen"), *run_labels))] == 35
    assert samples[("newsmon_last_run_articles", (("outcome", "stored"), *run_labels))] == 7
    assert samples[("newsmon_last_run_articles", (("outcome", "spooled"), *run_labels))] == 2
    start = CRAWL_STATS["start_time"].timestamp()
    assert samples[("newsmon_last_run_start_timestamp_seconds", run_labels)] == start
    assert samples[("newsmon_last_run_duration_seconds", run_labels)] == 125.0
    assert samples[("newsmon_last_run_success", run_labels)] == 0  # a monitor failed
    assert samples[("newsmon_last_run_responses", (*run_labels, ("status", "503")))] == 1
    assert samples[("newsmon_last_run_articles_dropped", (("reason", "no_date"), *run_labels))] == 1
    assert samples[("newsmon_last_run_pages_rejected", (("reason", "no_date"), *run_labels))] == 3
    assert samples[("newsmon_last_run_monitor_failed", (("monitor", "Field Coverage Monitor"), *run_labels))] == 1
    assert list(path.parent.iterdir()) == [path]  # written atomically: no temporary file left


def test_prometheus_textfile_name_per_scope():
    run = build_run("apa", CRAWL_STATS, "finished", scope="apa:az,en")
    assert textfile_path("data/metrics/newsmon-{scope}.prom", run) == "data/metrics/newsmon-apa-az-en.prom"
    assert textfile_path("/m/{spider}/{scope}.prom", run) == "/m/apa/apa-az-en.prom"
    assert textfile_path("data/metrics/newsmon-{spider}.prom", run) == "data/metrics/newsmon-apa.prom"
    with pytest.raises(KeyError):
        textfile_path("data/metrics/newsmon-{edition}.prom", run)


def test_a_bad_textfile_name_is_logged_and_the_run_still_recorded(news_site, store_uri, tmp_path):
    news_site.publish(1)
    result = scrapy_crawl(news_site, store_uri, tmp_path, NEWSMON_PROMETHEUS_FILE=str(tmp_path / "{edition}.prom"))
    assert result.returncode == 0, result.stderr
    assert "cannot write Prometheus metrics: bad NEWSMON_PROMETHEUS_FILE" in result.stderr
    assert last_run(store_uri)["items"]["stored"] == 1


def test_webhook_failure_is_logged_not_raised(caplog):
    post_json_in_background(closed_port_url(), {"text": "x"}, timeout=5).join(PATIENCE)
    assert any(r.levelname == "ERROR" and "monitor webhook" in r.getMessage() for r in caplog.records)


# -- newsmon runs ---------------------------------------------------------------------------


def test_runs_lists_recent_runs_with_monitor_results(store_uri, capsys):
    with open_store(store_uri) as store:
        store.record_run(build_run("apa", CRAWL_STATS, "finished", scope="apa:en"))
        store.record_run(
            build_run("other", {**CRAWL_STATS, "start_time": datetime(2024, 4, 27, tzinfo=timezone.utc),
                                "newsmon/monitors/failed": 0,
                                "newsmon/monitors/results": [{"name": "Finish Reason Monitor", "status": "PASS",
                                                              "message": ""}]}, "finished")
        )  # fmt: skip

    assert newsmon_main(["runs", "--store", store_uri]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "started", "(UTC)", "spider", "scope", "duration", "finish", "requests", "seen", "stored", "dup", "dropped",
        "rejected", "published_at", "body", "workers", "monitors",
    ]  # fmt: skip
    assert lines[1].split() == [
        "2024-04-28", "10:00:00", "apa", "apa:en", "2m05.0s", "finished", "14", "35", "7", "1", "2", "4", "66.7%",
        "100%", "1", "FAIL", "(1)",
    ]  # fmt: skip
    assert lines[2].strip() == "FAIL Field Coverage Monitor: published_at"
    assert lines[3].split()[2:4] == ["other", "other"] and lines[3].split()[-1] == "PASS"

    assert newsmon_main(["runs", "--store", store_uri, "--spider", "other", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["spider"] == "other" and run["started_at"] == "2024-04-27T00:00:00+00:00"

    assert newsmon_main(["runs", "--store", store_uri, "--spider", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "no runs recorded for spider nobody"


def test_runs_of_one_scope(store_uri, capsys):
    start = datetime(2024, 4, 28, tzinfo=timezone.utc)
    with open_store(store_uri) as store:
        for hour, scope in enumerate(["apa:az", "apa:en", "apa:ru", "apa:en", "apa:az,en,ru"]):
            store.record_run(build_run("apa", {**CRAWL_STATS, "start_time": start + timedelta(hours=hour)}, "finished",
                                       scope=scope))  # fmt: skip

    assert newsmon_main(["runs", "--store", store_uri, "--scope", "apa:en", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [(run["scope"], run["started_at"]) for run in runs] == [
        ("apa:en", "2024-04-28T03:00:00+00:00"), ("apa:en", "2024-04-28T01:00:00+00:00"),
    ]  # fmt: skip
    assert newsmon_main(["runs", "--store", store_uri, "--scope", "apa:en", "--limit", "1"]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("2024-")]
    assert row.split()[1:4] == ["03:00:00", "apa", "apa:en"]

    assert newsmon_main(["runs", "--store", store_uri, "--spider", "apa", "--scope", "apa:de"]) == 0
    assert capsys.readouterr().out.strip() == "no runs recorded for spider apa, scope apa:de"


def test_a_field_counts_only_where_the_chain_settles_it():
    crawler = get_crawler(Spider, {"NEWSMON_MONITOR_FIELD_COVERAGE": {}})
    recorder = RunRecorder(crawler)
    recorder.spider_opened(crawler.spider)
    body_cleaned_away = Article(url="https://x/1", title="T", body="", dateline="28 April 2024 10:00")
    recorder.count_fields(body_cleaned_away, Dropped("no article text", "no_body", "clean"))
    undated = Article(url="https://x/2", title="T", body="B", dateline="soon")
    recorder.count_fields(undated, Dropped("unparsable dateline", "no_date", "date"))
    recorder.count_fields(Article(url="https://x/3", title="T", body="B", published_at=datetime(2024, 4, 28, tzinfo=timezone.utc)))
    coverage = field_coverage(crawler.stats.get_stats(), "spider")
    assert coverage["published_at"] == Coverage(1, 2)  # the page dropped for its body never had its date read
    assert coverage["body"] == Coverage(2, 3)
