"""The real spider with the real settings, over real HTTP, against the replay on 127.0.0.1.

The end-to-end test runs `scrapy crawl apa` (one subprocess per edition) twice into one store
and checks every stored article field by field, the drop counters, the feed export, the URLs
the store remembers, and that the second run fetches nothing but each edition's first listing
page and feed. Light tests of the spider's pieces follow.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsmon.items import ARTICLE_FIELDS
from newsmon.middlewares import failure_kind
from newsmon.pipelines import Dropped
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets.apa import moved_from_path, public_url
from newsmon.replay.site import Page, ReplaySite
from newsmon.sites.apa import EDITIONS
from newsmon.spiders.base import LISTED_URL, PERMANENT_DROPS, PublicUrlContract
from newsmon.spiders.outlets import ApaSpider
from newsmon.store import ALIAS
from newsmon.store.spool import Spool
from crawl_helpers import article_hits, assert_stored_as_expected, crawl_environment, store_uri, stored_records

EDITION_LANGS = tuple(EDITIONS)
SCOPES = tuple(f"apa:{lang}" for lang in EDITIONS)
NON_ARTICLE_PATHS = ("/rates", "/weather-forecast", "/currency", "/jobs", "/tag/")
# What a rerun over an unchanged site requests from every edition, each once.
RERUN_TARGETS = ("/robots.txt", "/all-news", "/rss")




def utc_now() -> datetime:
    return datetime.now(timezone.utc)






def remembered_urls(path: Path) -> dict[str, tuple[str, str]]:
    """URL -> (what, target) of the URLs the SQLite store at `path` remembers."""
    with sqlite3.connect(path) as db:
        return {url: (what, target) for url, what, target in db.execute("SELECT url, what, target FROM seen_urls")}




def test_crawl_replay_end_to_end(tmp_path):
    site = build_replay(["apa"])
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(site) as server:
        environment = crawl_environment(tmp_path)
        started = utc_now()
        first = crawl_replay(server, SCOPES, store=uri, feed_dir=tmp_path, environment=environment)
        ended = utc_now()
        first_hits = list(server.hits)
        stored_after_first = stored_records(uri)
        remembered_after_first = remembered_urls(tmp_path / "store.db")
        second = crawl_replay(server, SCOPES, store=uri, environment=environment)
        second_hits = server.hits[len(first_hits) :]

    for run in (*first.values(), *second.values()):
        assert run.ran, f"{run.scope}: exit {run.returncode}\n{run.log[-3000:]}"
        assert not [key for key in run.stats if key.startswith("spider_exceptions/")], run.scope

    check_stored_articles(stored_after_first, started, ended)
    check_drops_and_failures(first)
    check_each_article_fetched_once(server, first_hits)
    check_feed_export(tmp_path, stored_after_first)
    assert remembered_after_first == expected_remembered(site)

    # Second run over the unchanged site: nothing new stored, and from every edition only the
    # first listing page and the feed (the moved, deleted and undated articles on them are known).
    assert stored_records(uri) == stored_after_first
    requested = Counter((hit.host, hit.target) for hit in second_hits)
    assert requested == Counter((host, target) for host in site.hosts for target in RERUN_TARGETS)
    for lang, run in second.items():
        assert run.stat("newsmon/store/inserted") == 0, lang
        assert run.stat("newsmon/apa/stop/all_known") == 1, lang
        assert run.stat("newsmon/apa/known_skipped") > 0, lang
        assert run.stat("newsmon/apa/remembered") == 0, lang  # nothing fetched, nothing to remember


def check_stored_articles(stored: dict[str, dict], crawl_started: datetime, crawl_ended: datetime) -> None:
    expected = expected_articles(build_replay(["apa"]))
    assert_stored_as_expected(stored, expected)
    assert len(stored) >= 40
    for url, got in stored.items():
        # The corpus has no near-duplicates, but some events are told in several editions: an
        # article founds its own story (named by its content hash) or joins one as a translation.
        assert got["story_id"] == got["content_hash"] or got["story_match"] == "translation", url
        assert got["story_id"] in {other["content_hash"] for other in stored.values()}, url
        fetched_at = datetime.fromisoformat(got["fetched_at"])
        assert fetched_at.utcoffset() == timedelta(0) and crawl_started <= fetched_at <= crawl_ended, url


def expected_remembered(site: ReplaySite) -> dict[str, tuple[str, str]]:
    """What a first crawl leaves in the store's memory: each moved article's old address, as an
    alias of its own, and each page dropped for a reason it will give again (not `truncated`,
    `http_5xx`: those may pass, and the next run that meets the link tries again)."""
    assert {"truncated", "http_5xx"} <= set(expected_drops(site)) - PERMANENT_DROPS
    remembered = {}
    for scope, stories in site.stories.items():
        edition = site.edition(scope)
        for story in stories:
            if "moved" in story.quirks:
                remembered[edition.base_url + moved_from_path(story)] = (ALIAS, public_url(edition, story))
            if story.dropped_as in PERMANENT_DROPS:
                remembered[public_url(edition, story)] = (story.dropped_as, "")
    return remembered


def check_drops_and_failures(runs) -> None:
    counted = Counter()
    for run in runs.values():
        for reason in expected_drops(build_replay(["apa"])):
            counted[reason] += run.stat(f"newsmon/apa/{reason}")
    assert counted == expected_drops(build_replay(["apa"]))  # no_date, no_body, truncated, malformed, http_404, http_5xx
    az, en, ru = runs["apa:az"], runs["apa:en"], runs["apa:ru"]
    assert az.stat("newsmon/retry/http_5xx") == 1  # the flaky page, stored after one retry
    assert ru.stat("newsmon/retry/http_5xx") == 3  # the broken page, given up after RETRY_TIMES
    assert en.stat("newsmon/apa/redirected") == 1
    assert all(run.stat("newsmon/apa/not_article_skipped") > 0 for run in runs.values())
    assert all(run.stat("newsmon/apa/stop/last_page") == 1 for run in runs.values())


def check_each_article_fetched_once(server: ReplayServer, hits) -> None:
    served = article_hits(server, [h for h in hits if h.status == 200])
    assert {page: n for page, n in served.items() if n != 1} == {}
    assert not [h for h in hits if "utm_" in h.target], "tracking variants must not be requested"
    assert not [h for h in hits if h.path.startswith(NON_ARTICLE_PATHS)]
    en = server.site.stories["apa:en"]
    moved = next(s for s in en if "moved" in s.quirks)
    assert [h.status for h in hits if h.path == moved_from_path(moved)] == [301]
    twice = next(s for s in en if "tracking_link" in s.quirks)
    assert served[("en.apa.az", twice.path)] == 1, public_url(EDITIONS["en"], twice)


def check_feed_export(feed_dir: Path, stored: dict[str, dict]) -> None:
    exported = []
    for lang in EDITION_LANGS:
        lines = (feed_dir / f"items-apa-{lang}.jsonl").read_text(encoding="utf-8").splitlines()
        exported += [json.loads(line) for line in lines]
    assert sorted(record["url"] for record in exported) == sorted(stored)
    for record in exported:
        assert list(record) == list(ARTICLE_FIELDS)
        assert record["published_at"].endswith("+00:00") and record["fetched_at"].endswith("+00:00")
        assert record["published_at"] == stored[record["url"]]["published_at"]


def test_since_stops_at_older_articles(tmp_path):
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(build_replay(["apa"])) as server:
        run = crawl_replay(
            server, ["apa:en"], store=uri, spider_args=["since=2026-04-08"], environment=crawl_environment(tmp_path)
        )["apa:en"]
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/apa/stop/older_than_since") == 1
    assert run.stat("newsmon/apa/older_skipped") > 0
    published = sorted(record["published_at"] for record in stored_records(uri).values())
    assert len(published) == 5 and published[0] >= "2026-04-08T00:00:00+00:00"


def test_a_crawl_while_mongodb_is_down_spools_every_article_and_the_next_open_stores_each_once(tmp_path, spool_root):
    # Nothing listens on the port: every store operation fails, from the first one on.
    secret = "s3cret-pw"
    uri = f"mongodb://crawler:{secret}@127.0.0.1:{closed_port()}/newsmon_test?serverSelectionTimeoutMS=100"
    options = {"retry_attempts": 2, "retry_backoff": 0.01}
    with ReplayServer(build_replay(["apa"])) as server:
        run = crawl_replay(
            server, ["apa:en"], store=uri, settings={"NEWSMON_STORE_OPTIONS": options},
            environment=crawl_environment(tmp_path),
        )["apa:en"]  # fmt: skip
    assert run.ran, run.log[-3000:]
    expected = {url: record for url, record in expected_articles(build_replay(["apa"])).items() if record["site"] == EDITIONS["en"].host}
    for counter in ("item_scraped_count", "newsmon/store/spooled", "newsmon/dedupe/store_unavailable",
                    "newsmon/story/store_unavailable"):  # fmt: skip
        assert run.stat(counter) == len(expected), counter
    # Every listing page and the feed were checked without the store, and the crawl went on.
    assert run.stat("newsmon/apa/store_unavailable") >= 2 and run.stat("newsmon/apa/stop/last_page") == 1
    assert "Error processing" not in run.log
    # The store's options reached it (two tries: one retry); then the breaker kept it off the
    # network. Once for each of the crawler's stores: the chain's (on its thread) and the spider's.
    assert run.log.count("retry 1/1 in 0.01 s") == 2
    for outage_message in ("every link counts as new", "duplicates are only looked for", "provisional stories"):
        assert run.log.count(outage_message) == 1, outage_message
    assert f"not recorded in the store (0 items stored, {len(expected)} spooled)" in run.log
    assert prometheus_sample(tmp_path / "newsmon-apa-en.prom", "newsmon_last_run_articles", outcome="spooled") == len(
        expected
    )
    assert secret not in run.log

    # What the spool holds when MongoDB is back is written then, once each: the real server's
    # tests (test_mongo_server_faults.py) start it on the port refused here and replay.
    assert Spool(spool_root, uri).pending() == len(expected)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prometheus_sample(path: Path, name: str, **labels: str) -> float:
    (value,) = [
        sample.value
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
    return value


def test_a_stalled_article_times_out_the_rest_is_stored_and_the_next_run_tries_it_again(tmp_path):
    site = build_replay(["apa"])
    host = EDITIONS["en"].host
    stalled = site.stories["apa:en"][1]  # on the first listing page and in the feed
    page = site.pages[host][stalled.path]
    site.add(host, stalled.path, Page.stalled(60))  # until the server stops, far longer than the timeout
    # A short timeout for the stalled page; quick retries keep a slow machine from failing other
    # pages. No politeness delays: the replay is local.
    settings = {
        "DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.1,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
    }  # fmt: skip
    uri = store_uri(tmp_path / "store.db")
    environment = crawl_environment(tmp_path)
    with ReplayServer(site) as server:
        first = crawl_replay(server, ["apa:en"], store=uri, settings=settings, environment=environment)["apa:en"]
        stored_after_first = stored_records(uri)
        first_hits = len(server.hits)
        site.add(host, stalled.path, page)  # the page answers again
        second = crawl_replay(server, ["apa:en"], store=uri, settings=settings, environment=environment)["apa:en"]
        second_hits = server.hits[first_hits:]

    assert first.ran and "'finish_reason': 'finished'" in first.log, first.log[-3000:]
    assert first.stat("newsmon/apa/timeout") == 1
    expected = {url: record for url, record in expected_articles(site).items() if record["site"] == host}
    stalled_url = public_url(EDITIONS["en"], stalled)
    assert sorted(stored_after_first) == sorted(set(expected) - {stalled_url})
    # A timeout may pass, so it was not remembered: the next run fetches the page, with the other
    # one whose failure may pass (cut off in transit), and stores it.
    assert second.ran and second.stat("newsmon/apa/timeout") == 0, second.log[-3000:]
    truncated = next(story for story in site.stories["apa:en"] if "truncated" in story.quirks)
    assert set(article_hits(server, second_hits)) == {(host, stalled.path), (host, truncated.path)}
    stored = stored_records(uri)
    assert sorted(stored) == sorted(expected)
    assert {name: stored[stalled_url][name] for name in expected[stalled_url]} == expected[stalled_url]


@pytest.mark.parametrize("lang", EDITION_LANGS)
def test_scrapy_check_passes_offline_for_each_edition(tmp_path, lang):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    host = EDITIONS[lang].host
    with ReplayServer(build_replay(["apa"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "apa", "-v", "-a", f"editions={lang}"]
        command += ["-a", f"base_url={server.base_url(host)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Ran 4 contracts" in output and output.rstrip().endswith("OK"), output
    # The edition's own listing, feed and sample article (the replay of each edition has its own port).
    served = {hit.path for hit in server.hits if hit.status == 200}
    assert {"/all-news", "/rss"} <= served and served & server.site.article_paths(host), served


# --- the spider's pieces ------------------------------------------------------------------------


def test_mirror_address_mapping():
    spider = ApaSpider(editions="ru", base_url="http://127.0.0.1:8123/")
    public = "https://ru.apa.az/mir/x-650193?page=2"
    assert spider.fetch_url(public) == "http://127.0.0.1:8123/mir/x-650193?page=2"
    assert spider.public_url(spider.fetch_url(public)) == public
    assert spider.allowed_domains == ["127.0.0.1"]
    with pytest.raises(ValueError, match="not on the mirrored edition"):
        spider.fetch_url("https://en.apa.az/all-news")


def test_live_addresses_are_left_alone():
    spider = ApaSpider(editions="en,az")
    assert spider.fetch_url("https://en.apa.az/rss") == "https://en.apa.az/rss"
    assert spider.allowed_domains == ["apa.az", "az.apa.az", "en.apa.az", "www.apa.az"]  # editions and their aliases


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"editions": "en,de"}, "apa has no edition de: choose from az, en, ru"),
        ({"editions": "en,az", "base_url": "http://127.0.0.1:1"}, "mirrors one edition"),
        ({"max_pages": "0"}, "max_pages"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        ApaSpider(**arguments)


def test_failure_kinds():
    response = HtmlResponse(url="https://apa.az/x", status=404, body=b"")
    assert failure_kind(HttpError(HtmlResponse(url="https://apa.az/x", status=503, body=b""))) == "http_5xx"
    assert failure_kind(HttpError(response)) == "http_404"
    assert failure_kind(DownloadTimeoutError()) == "timeout"
    assert failure_kind(CannotResolveHostError()) == "dns"
    assert failure_kind(IgnoreRequest()) == "ignored"
    assert failure_kind(ValueError()) == "download_error"


def test_contract_requests_follow_the_edition_and_its_mirror():
    spider = ApaSpider(editions="ru", base_url="http://127.0.0.1:8123")
    listing = PublicUrlContract(spider.parse_listing, "/all-news")
    request = Request(**listing.adjust_request_args({"url": None, "cb_kwargs": {"page": 1}}))
    assert request.url == "http://127.0.0.1:8123/all-news"
    assert request.cb_kwargs == {"page": 1, "edition": "ru"}
    # A line naming an edition applies to that edition only.
    assert PublicUrlContract(spider.parse_article, "en=/asia/x-520902").adjust_request_args({"url": None}) == {
        "url": None
    }
    article = PublicUrlContract(spider.parse_article, "ru=/mir/x-650193").adjust_request_args({"url": None})
    assert article == {"url": "http://127.0.0.1:8123/mir/x-650193", "cb_kwargs": {"edition": "ru"}}
    # The live site, all editions: the first one is checked.
    live = PublicUrlContract(ApaSpider().parse_feed, "/rss").adjust_request_args({"url": None})
    assert live == {"url": "https://apa.az/rss", "cb_kwargs": {"edition": "az"}}


@pytest.mark.parametrize("argument", ["https://en.apa.az/rss", "de=/rss", "en=rss"])
def test_contract_takes_a_path(argument):
    with pytest.raises(ValueError, match="expected /PATH"):
        PublicUrlContract(ApaSpider().parse_feed, argument)


# --- remembering fetched URLs (no crawl: the spider's callbacks on made-up responses) -----------

FIXTURES = Path(__file__).parent / "fixtures" / "apa"
ARTICLE = "https://apa.az/foreign-policy/ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-foto-954028"
OLD_SLUG = "https://apa.az/foreign-policy/ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-954028"
GONE = "https://apa.az/incident/gencede-narkotik-vasitelerle-saxlanilib-954030"


@pytest.fixture
def spider(tmp_path) -> ApaSpider:
    crawler = get_crawler(ApaSpider, {"NEWSMON_STORE": store_uri(tmp_path / "store.db")})
    return ApaSpider.from_crawler(crawler, editions="az")


def article_request(listed: str, fetched: str | None = None) -> Request:
    """An article request as the spider makes it for `listed`; `fetched`: where a redirect took it."""
    meta = {LISTED_URL: listed}
    if fetched:
        meta["redirect_urls"] = [listed]
    return Request(fetched or listed, meta=meta)


def page(request: Request, fixture: str = "article_az.html") -> HtmlResponse:
    body = (FIXTURES / fixture).read_bytes()
    return HtmlResponse(url=request.url, body=body, encoding="utf-8", request=request)


def failure(request: Request, error: Exception) -> Failure:
    failed = Failure(error)
    failed.request = request  # as Scrapy hands it to the errback
    return failed


def remembered(spider: ApaSpider) -> dict[str, tuple[str, str]]:
    return {url: (entry.what, entry.target) for url, entry in spider.to_remember.items()}


def test_a_redirected_link_is_remembered_as_an_alias_of_the_article(spider):
    (article,) = spider.parse_article(page(article_request(OLD_SLUG, fetched=ARTICLE)), edition="az")
    assert article.url == ARTICLE
    assert remembered(spider) == {OLD_SLUG: (ALIAS, ARTICLE)}
    assert spider.crawler.stats.get_value("newsmon/apa/redirected") == 1


def test_a_link_whose_page_names_another_canonical_url_is_an_alias(spider):
    # Served at the old address, no redirect: the page's canonical link names the article's.
    (article,) = spider.parse_article(page(article_request(OLD_SLUG)), edition="az")
    assert article.url == ARTICLE and remembered(spider) == {OLD_SLUG: (ALIAS, ARTICLE)}


def test_an_article_at_its_own_address_needs_no_memory(spider):
    list(spider.parse_article(page(article_request(ARTICLE)), edition="az"))
    assert remembered(spider) == {}


def test_a_redirect_to_a_page_already_requested_is_remembered_when_the_duplicate_filter_drops_it(spider):
    spider.on_request_dropped(article_request(OLD_SLUG, fetched=ARTICLE))
    spider.on_request_dropped(article_request(ARTICLE))  # listed twice: nothing to remember
    assert remembered(spider) == {OLD_SLUG: (ALIAS, ARTICLE)}


@pytest.mark.parametrize(
    ("fixture", "reason"), [("article_no_date.html", "no_date"), ("article_no_body.html", "no_body")]
)
def test_pages_that_are_not_articles_are_remembered_as_dropped_with_the_reason(spider, fixture, reason):
    assert list(spider.parse_article(page(article_request(OLD_SLUG, fetched=ARTICLE), fixture), edition="az")) == []
    assert remembered(spider) == {OLD_SLUG: (reason, ""), ARTICLE: (reason, "")}


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (HttpError(HtmlResponse(url=ARTICLE, status=404, body=b"")), "http_404"),
        (HttpError(HtmlResponse(url=ARTICLE, status=410, body=b"")), "http_410"),
    ],
)
def test_pages_gone_for_good_are_remembered(spider, error, kind):
    spider.on_error(failure(article_request(ARTICLE), error))
    assert remembered(spider) == {ARTICLE: (kind, "")}


@pytest.mark.parametrize(
    "error",
    [
        HttpError(HtmlResponse(url=ARTICLE, status=503, body=b"")),
        HttpError(HtmlResponse(url=ARTICLE, status=429, body=b"")),
        DownloadTimeoutError(),
        CannotResolveHostError(),
    ],
)
def test_failures_that_may_pass_are_not_remembered(spider, error):
    spider.on_error(failure(article_request(ARTICLE), error))
    assert remembered(spider) == {}


def test_a_page_cut_off_in_transit_is_not_remembered(spider):
    assert list(spider.parse_article(page(article_request(ARTICLE), "article_truncated.html"), edition="az")) == []
    assert spider.crawler.stats.get_value("newsmon/apa/truncated") == 1
    assert remembered(spider) == {}


def test_a_listing_page_or_a_contract_sample_is_never_remembered(spider):
    spider.on_error(failure(Request(ARTICLE), HttpError(HtmlResponse(url=ARTICLE, status=404, body=b""))))
    list(spider.parse_article(page(Request(OLD_SLUG), "article_no_date.html"), edition="az"))
    assert remembered(spider) == {}


def test_articles_the_chain_drops_are_remembered_with_its_reason(spider):
    request = article_request(OLD_SLUG, fetched=ARTICLE)
    (article,) = spider.parse_article(page(request), edition="az")
    spider.on_item_dropped(article, page(request), Dropped("duplicate of a stored article", "duplicate"))
    assert remembered(spider) == {OLD_SLUG: ("duplicate", ""), ARTICLE: ("duplicate", "")}


def test_remembered_urls_are_written_in_one_batch_and_known_to_the_next_check(spider):
    list(spider.parse_article(page(article_request(OLD_SLUG, fetched=ARTICLE)), edition="az"))
    spider.on_error(failure(article_request(GONE), HttpError(HtmlResponse(url=GONE, status=404, body=b""))))
    links = [(OLD_SLUG, ""), (GONE, ""), (ARTICLE, "")]
    assert spider.select_new("az", links).new == [ARTICLE]  # flushed first, then checked
    assert spider.to_remember == {} and spider.crawler.stats.get_value("newsmon/apa/remembered") == 2


def test_what_is_left_to_remember_is_written_when_the_spider_closes(spider):
    spider.on_error(failure(article_request(GONE), HttpError(HtmlResponse(url=GONE, status=404, body=b""))))
    spider.closed("finished")
    assert spider.store.known_urls([GONE]) == {GONE}


def test_dropped_pages_are_tried_again_after_the_recheck_window(tmp_path):
    def known_after_a_drop(window: object) -> bool:
        crawler = get_crawler(
            ApaSpider, {"NEWSMON_STORE": store_uri(tmp_path / f"{window}.db"), "NEWSMON_RECHECK_DROPPED_AFTER": window}
        )
        spider = ApaSpider.from_crawler(crawler, editions="az")
        spider.on_error(failure(article_request(GONE), HttpError(HtmlResponse(url=GONE, status=404, body=b""))))
        spider.flush_remembered()
        return spider.select_new("az", [(GONE, "")]).new == []

    assert known_after_a_drop(3600) and known_after_a_drop(None) and known_after_a_drop("never")
    assert not known_after_a_drop(0)  # dropped before "now": due for another try


def test_the_recheck_window_setting():
    spider = ApaSpider.from_crawler(get_crawler(ApaSpider, {}), editions="az")
    assert spider.recheck_dropped_after == timedelta(days=7)
    spider = ApaSpider.from_crawler(get_crawler(ApaSpider, {"NEWSMON_RECHECK_DROPPED_AFTER": "-1"}), editions="az")
    with pytest.raises(ValueError, match="NEWSMON_RECHECK_DROPPED_AFTER"):
        spider.recheck_dropped_after


def test_a_store_error_while_remembering_is_logged_and_the_crawl_goes_on(spider, monkeypatch, caplog):
    from newsmon.store import StoreError

    def refuse(entries):
        raise StoreError("SQLite write to store.db failed: disk I/O error")

    monkeypatch.setattr(spider.store, "remember_urls", refuse)
    spider.on_error(failure(article_request(GONE), HttpError(HtmlResponse(url=GONE, status=404, body=b""))))
    assert spider.select_new("az", [(ARTICLE, "")]).new == [ARTICLE]  # no traceback: the check still runs
    assert spider.to_remember == {} and spider.crawler.stats.get_value("newsmon/apa/store_error") == 1
    assert "fetched URLs not remembered: SQLite write to store.db failed" in caplog.text
