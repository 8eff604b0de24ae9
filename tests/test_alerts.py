"""Alerts: every stored article is matched against the watchlists, one alert per story, delivered
to a webhook in the background. Receivers are real HTTP servers on 127.0.0.1."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from crawl_helpers import crawl_environment, store_uri
from newsmon.alerts import AlertWebhook, webhook_for_logs
from newsmon.chain import Chain, CounterStats
from newsmon.items import Article
from newsmon.loader import load_paths
from newsmon.replay import ReplayServer, build_replay
from newsmon.replay.crawl import crawl_replay
from newsmon.store import open_store
from newsmon.store.spool import Spool
from newsmon.watch import ArticleText, Matcher, Watchlist
from webhook_receiver import WebhookReceiver, url_of_nothing

FAST_RETRIES = {"NEWSMON_WATCH_WEBHOOK_BACKOFF": 0.05, "NEWSMON_WATCH_WEBHOOK_ATTEMPTS": 3}


def record(n: int, *, outlet: str, story: str, words: str = "SOCAR signs an oil deal", **fields) -> dict:
    site = {"apa": "en.apa.az", "report": "report.az", "trend": "en.trend.az"}[outlet]
    return {"url": f"https://{site}/news/{n}", "site": site, "outlet": outlet, "lang": "en", "story_id": story,
            "title": f"{words} ({n})", "body": f"Story {story}: {words}, copy number {n}.",
            "published_at": f"2026-11-16T{10 + n % 10:02d}:00:00+00:00", **fields}  # fmt: skip


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def load(tmp_path: Path, uri: str, records: list[dict], **settings) -> CounterStats:
    """`newsmon load` in-process, as the command runs it; returns the chain's stats."""
    path = write_jsonl(tmp_path / f"in-{time.monotonic_ns()}.jsonl", records)
    stats: list[CounterStats] = []
    original_init = Chain.__init__

    def keep_stats(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        stats.append(self.stats)

    with open_store(uri) as store:
        Chain.__init__ = keep_stats  # the loader builds its chain inside load_paths
        try:
            load_paths([path], store, {"NEWSMON_SPOOL_DIR": str(tmp_path / "spool"), **settings})
        finally:
            Chain.__init__ = original_init
    return stats[0]


@pytest.fixture
def uri(tmp_path) -> str:
    uri = f"sqlite:///{tmp_path}/newsmon.db"
    with open_store(uri) as store:
        store.add_watchlist(Watchlist("socar", ("SOCAR", "oil deal")))
        store.add_watchlist(Watchlist("only-report", ("SOCAR",), outlets=("report",)))
    return uri


def test_one_alert_per_story_across_outlets_and_runs(tmp_path, uri):
    with WebhookReceiver() as receiver:
        first = load(tmp_path, uri, [record(1, outlet="apa", story="s1"), record(2, outlet="report", story="s1"),
                                     record(3, outlet="trend", story="s2", words="Weather in Baku")],
                     NEWSMON_WATCH_WEBHOOK=receiver.url)  # fmt: skip
        # Another run (another chain, as another process has) brings a third copy and a repeat.
        second = load(tmp_path, uri, [record(4, outlet="trend", story="s1"), record(1, outlet="apa", story="s1")],
                      NEWSMON_WATCH_WEBHOOK=receiver.url)  # fmt: skip
    assert first.get_value("newsmon/watch/matched") == 3  # socar x 2 copies, only-report x the Report copy
    assert first.get_value("newsmon/watch/alerts") == 2
    assert first.get_value("newsmon/watch/story_updates") == 1
    assert (second.get_value("newsmon/watch/alerts"), second.get_value("newsmon/watch/story_updates")) == (0, 1)
    assert sorted((p["watchlist"]["name"], p["story_id"], p["first"]["url"]) for p in receiver.received) == [
        ("only-report", "s1", "https://report.az/news/2"),
        ("socar", "s1", "https://en.apa.az/news/1"),
    ]
    with open_store(uri) as store:
        alerts = {(a.watchlist_id, a.story_id): a for a in store.alerts()}
        socar = next(w for w in store.watchlists() if w.name == "socar")
    alert = alerts[(socar.id, "s1")]
    assert (alert.copies, alert.outlets) == (3, ["apa", "report", "trend"])
    assert first.get_value("newsmon/watch/webhook_sent") == 2


def test_no_alert_for_an_article_that_was_not_stored(tmp_path, uri):
    """A duplicate of a stored article is not stored again, and a batch the store did not take is
    spooled: neither alerts, until the spooled batch is replayed and so stored."""
    stats = load(tmp_path, uri, [record(1, outlet="apa", story="s1")])
    again = load(tmp_path, uri, [record(1, outlet="apa", story="s1")])
    assert (stats.get_value("newsmon/watch/alerts"), again.get_value("newsmon/watch/matched")) == (1, 0)
    with open_store(uri) as store:
        chain = Chain({"NEWSMON_SPOOL_DIR": str(tmp_path / "spool")}, store)
        article = chain.process(Article(**{**record(7, outlet="report", story="s7"), "published_at": None,
                                           "dateline": "16 November 2026 10:00"}))  # fmt: skip
        chain.steps[-1].buffer.clear()  # as if its write had failed: the batch goes to the spool instead
        Spool(tmp_path / "spool", store.uri).append([article])
        assert [a.story_id for a in store.alerts()] == ["s1"]
        replaying = Chain({"NEWSMON_SPOOL_DIR": str(tmp_path / "spool")}, store)  # replays the spool as it starts
        replaying.close()
        assert replaying.stats.get_value("newsmon/store/replayed") == 1
        assert replaying.stats.get_value("newsmon/watch/alerts") == 2  # both watchlists: it is Report's
        assert {a.story_id for a in store.alerts()} == {"s1", "s7"}


def test_a_receiver_that_fails_first_gets_the_alert_on_a_retry(tmp_path, uri):
    with WebhookReceiver(fail_first=2) as receiver:
        stats = load(tmp_path, uri, [record(1, outlet="apa", story="s1")], NEWSMON_WATCH_WEBHOOK=receiver.url, **FAST_RETRIES)
    assert receiver.requests == 3
    assert [p["story_id"] for p in receiver.received] == ["s1"]
    assert receiver.received[0]["event"] == "alert" and receiver.received[0]["copies"] == 1
    assert (stats.get_value("newsmon/watch/webhook_retried"), stats.get_value("newsmon/watch/webhook_sent")) == (2, 1)
    assert stats.get_value("newsmon/watch/webhook_failed") == 0


def test_a_receiver_that_is_down_costs_the_load_no_time_and_is_counted(tmp_path, uri, caplog):
    down = url_of_nothing()
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="newsmon.alerts"):
        stats = load(tmp_path, uri, [record(1, outlet="apa", story="s1"), record(2, outlet="report", story="s2")],
                     NEWSMON_WATCH_WEBHOOK=down, **FAST_RETRIES)  # fmt: skip
    assert time.monotonic() - started < 10
    assert stats.get_value("newsmon/watch/alerts") == 3  # recorded in the store all the same
    assert stats.get_value("newsmon/watch/webhook_failed") == 3
    assert stats.get_value("newsmon/watch/webhook_sent") == 0
    failures = [r.getMessage() for r in caplog.records if "failed for story" in r.getMessage()]
    assert len(failures) == 3
    assert all(webhook_for_logs(down) in line and "secret-token" not in line for line in failures)


def test_close_gives_up_on_a_slow_receiver_within_its_timeout():
    """Retries spaced far apart (a receiver down for minutes) do not hold the end of a run: what is
    still queued when the close timeout is up is counted as not sent."""
    stats = CounterStats()
    webhook = AlertWebhook(url_of_nothing(), stats, attempts=5, backoff=30, close_timeout=0.5)
    for n in range(3):
        webhook.send({"story_id": f"s{n}"})
    started = time.monotonic()
    webhook.close()
    assert time.monotonic() - started < 3
    assert stats.get_value("newsmon/watch/webhook_failed") == 1  # the one being retried
    assert stats.get_value("newsmon/watch/webhook_unsent") == 2


def test_a_full_queue_drops_instead_of_blocking():
    stats = CounterStats()
    webhook = AlertWebhook(url_of_nothing(), stats, attempts=1, backoff=0, queue_size=1, close_timeout=0.2)
    started = time.monotonic()
    for n in range(50):
        webhook.send({"story_id": f"s{n}"})
    assert time.monotonic() - started < 1
    webhook.close()
    total = sum(stats.get_value(f"newsmon/watch/webhook_{what}") for what in ("sent", "failed", "dropped", "unsent"))
    assert total == 50 and stats.get_value("newsmon/watch/webhook_dropped") > 0


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://hooks.example.com/services/T0/B0/XXXX", "https://hooks.example.com/***"),
        ("https://user:pw@alerts.example.com/", "https://user:***@alerts.example.com"),
        ("http://127.0.0.1:9000/in?token=abc&team=desk", "http://127.0.0.1:9000/***?token=***&team=desk"),
    ],
)
def test_webhook_urls_are_logged_without_their_secrets(url, shown):
    assert webhook_for_logs(url) == shown


# -- a replay crawl of several outlets ------------------------------------------------------------
SCOPES = ["apa:en", "report:en", "trend:en"]


def test_a_crawl_of_three_outlets_alerts_once_per_story(tmp_path):
    """The replay's outlets carry the same events: each story alerts once, raised by APA's copy,
    grown by Report's and Trend's (two crawls, two processes at once); a second crawl alerts no
    more. (APA is crawled first: copies crawled at the same time as their original cannot find
    its story, which is not stored yet.)"""
    uri = store_uri(tmp_path / "crawl.db")
    watchlists = [Watchlist("shafag", ('"Shafag-Asiman"',)), Watchlist("weightlifting", ("Weightlifting", "Baku"))]
    with open_store(uri) as store:
        for watchlist in watchlists:
            store.add_watchlist(watchlist)
    environment = crawl_environment(tmp_path)
    with WebhookReceiver() as receiver, ReplayServer(build_replay(["apa", "report", "trend"])) as server:
        environment["NEWSMON_WATCH_WEBHOOK"] = receiver.url
        runs = crawl_replay(server, SCOPES[:1], store=uri, environment=environment)
        runs |= crawl_replay(server, SCOPES[1:], store=uri, environment=environment)
        assert all(run.ran for run in runs.values()), {s: r.log[-2000:] for s, r in runs.items()}
        raised = len(receiver.received)
        again = crawl_replay(server, SCOPES, store=uri, environment=environment)
    with open_store(uri) as store:
        matcher = Matcher.of(store.watchlists())
        names = {w.id: w.name for w in store.watchlists()}
        stored = list(store.query())
        alerts = store.alerts()
    expected: dict[tuple[str, str], set[str]] = {}
    for article in stored:
        text = ArticleText.of(title=article.title, body=article.body, outlet=article.outlet, lang=article.lang)
        for watchlist in matcher.match(text):
            expected.setdefault((watchlist.name, article.story_id), set()).add(article.outlet)
    assert {(names[a.watchlist_id], a.story_id): set(a.outlets) for a in alerts} == expected
    assert expected[next(k for k in expected if k[0] == "shafag")] == {"apa", "report", "trend"}
    assert sum(run.stat("newsmon/watch/alerts") for run in runs.values()) == len(alerts) == raised
    assert sum(run.stat("newsmon/watch/story_updates") for run in runs.values()) == sum(a.copies - 1 for a in alerts)
    assert sorted((p["watchlist"]["name"], p["story_id"]) for p in receiver.received) == sorted(
        (names[a.watchlist_id], a.story_id) for a in alerts
    )
    assert all(run.stat("newsmon/watch/alerts") == 0 for run in again.values())


def test_watchlists_the_store_cannot_give_are_counted_and_the_write_goes_on(tmp_path, uri, monkeypatch, caplog):
    from newsmon.store import StoreUnavailable
    from newsmon.store.sqlite import SQLiteStore

    def unavailable(self):
        raise StoreUnavailable("locked")

    monkeypatch.setattr(SQLiteStore, "watchlists", unavailable)
    with caplog.at_level(logging.WARNING):
        stats = load(tmp_path, uri, [record(1, outlet="apa", story="s1")])
    assert stats.get_value("newsmon/store/inserted") == 1
    assert stats.get_value("newsmon/watch/watchlists_unread") == 1 and stats.get_value("newsmon/watch/alerts") == 0
    assert any("not matched against the watchlists" in r.getMessage() for r in caplog.records)
