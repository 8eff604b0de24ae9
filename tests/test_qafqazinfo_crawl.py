"""The real `scrapy crawl qafqazinfo` over real HTTP against the local replay of qafqazinfo.az.

Two crawls into one store: every stored article field by field (filed under the bare host,
though every link prints www.), the drops, the rerun that fetches only robots.txt, the first
category page and the feed. Then the feed's traps, each counted and logged with the feed's URL:
the same `<guid>` for every item, the escaped CDATA description, the `<link>` inside `<image>`,
`lastBuildDate` in `+04`, ids out of order, and the id that is the last digit run.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from scrapy.http import XmlResponse

from newsmon.dates import parse_dateline
from newsmon.fingerprint import content_hash
from newsmon.items import to_record
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets import qafqazinfo as template
from newsmon.replay.site import CORPUS, plain_text
from newsmon.sites import feeds
from newsmon.sites.qafqazinfo import EDITION, LISTING_PATH, RSS_PATH, SITE, article_id
from newsmon.store import open_store
from newsmon.stories import StoryParams, make_sketch, same_story
from crawl_helpers import assert_stored_as_expected

HOST = EDITION.host
SCOPE = "qafqazinfo:az"
RERUN_TARGETS = ("/robots.txt", LISTING_PATH, RSS_PATH)


def store_uri(path: Path) -> str:
    return f"sqlite:///{path}"


def stored_records(uri: str) -> dict[str, dict]:
    with open_store(uri) as store:
        return {article.url: to_record(article) for article in store.query()}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("qafqazinfo-crawl")
    site = build_replay(["qafqazinfo"])
    uri = store_uri(tmp_path / "store.db")
    environment = {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}
    with ReplayServer(site) as server:
        first = crawl_replay(server, [SCOPE], store=uri, environment=environment)[SCOPE]
        first_hits = list(server.hits)
        stored_after_first = stored_records(uri)
        second = crawl_replay(server, [SCOPE], store=uri, environment=environment)[SCOPE]
        second_hits = server.hits[len(first_hits) :]
    return {
        "site": site, "uri": uri, "first": first, "second": second, "first_hits": first_hits,
        "second_hits": second_hits, "stored_after_first": stored_after_first,
    }  # fmt: skip


def test_both_crawls_run_to_the_end(crawled):
    for run in (crawled["first"], crawled["second"]):
        assert run.ran, f"exit {run.returncode}\n{run.log[-3000:]}"
        assert not [key for key in run.stats if key.startswith("spider_exceptions/")]


def test_every_stored_article_is_the_expected_one_field_by_field(crawled):
    stored, expected = crawled["stored_after_first"], expected_articles(crawled["site"])
    assert_stored_as_expected(stored, expected)
    assert len(stored) >= 12
    assert all(url.startswith("https://qafqazinfo.az/news/detail/") for url in stored)  # www. is an alias
    for url, got in stored.items():
        assert got["story_id"] == got["content_hash"], url  # no other outlet in this store


def test_drops_fallbacks_and_skips_are_counted(crawled):
    site, run = crawled["site"], crawled["first"]
    counted = Counter({reason: run.stat(f"newsmon/qafqazinfo/{reason}") for reason in expected_drops(site)})
    assert counted == expected_drops(site) == Counter({"http_404": 1})  # the deleted article the feed still lists
    assert run.stat("newsmon/retry/http_5xx") == 1  # the flaky page, stored after one retry
    assert run.stat("newsmon/qafqazinfo/stop/empty_page") == 1  # the category page after the last
    assert run.stat("newsmon/qafqazinfo/fallback/image_body") == 1  # the lazy image, no og:image
    assert run.stat("newsmon/qafqazinfo/articles") == len(crawled["stored_after_first"])


def test_the_feed_traps_are_counted_and_logged_with_the_feeds_url(crawled):
    run = crawled["first"]
    for quirk in ("same_guid", "escaped_description"):
        assert run.stat(f"newsmon/qafqazinfo/feed/{quirk}") == 1, quirk
        assert f"feed/{quirk}: http://127.0.0.1:" in run.log and f"{RSS_PATH}" in run.log, quirk
    assert run.stat("newsmon/qafqazinfo/feed/not_a_feed") == 0


def test_the_rerun_fetches_only_robots_the_first_category_page_and_the_feed(crawled):
    assert stored_records(crawled["uri"]) == crawled["stored_after_first"]
    assert Counter(hit.target for hit in crawled["second_hits"]) == Counter(RERUN_TARGETS)
    run = crawled["second"]
    assert run.stat("newsmon/store/inserted") == 0
    assert run.stat("newsmon/qafqazinfo/stop/all_known") == 1
    assert run.stat("newsmon/qafqazinfo/remembered") == 0


def test_each_article_page_is_fetched_once(crawled):
    articles = crawled["site"].article_paths(HOST)
    served = Counter(hit.path for hit in crawled["first_hits"] if hit.status == 200 and hit.path in articles)
    assert {path: n for path, n in served.items() if n != 1} == {}
    assert not [hit for hit in crawled["first_hits"] if hit.path == "/news/detail/"]  # the guid and the image link


# --- the feed as the live one is -------------------------------------------------------------------


def replay_feed():
    site = build_replay(["qafqazinfo"])
    body = site.find(HOST, RSS_PATH).body
    return site, body, feeds.parse_rss(XmlResponse(url="https://qafqazinfo.az/rss", body=body))


def test_one_guid_for_all_items_and_a_link_inside_each_image():
    site, body, feed = replay_feed()
    stories = site.stories[SCOPE]
    assert body.count(b"<guid") == len(stories)
    assert b">\n<" not in body.split(b"\n", 1)[1]  # after the declaration, one line (but the descriptions' breaks)
    assert len({e.url for e in feed.entries}) == len(stories)
    assert [e.url for e in feed.entries] == [template.linked_url(s) for s in stories]  # link/text(), not the image's
    assert "same_guid" in feed.quirks


def test_the_escaped_description_is_unwrapped_and_cut_mid_word():
    site, body, feed = replay_feed()
    assert b"&lt;![CDATA[" in body and b"&#13;" in body
    entry, story = feed.entries[1], site.stories[SCOPE][1]
    assert not entry.summary.startswith("<![CDATA[") and "\r" not in entry.summary
    whole = " ".join(" ".join(plain_text(p) for p in story.paragraphs[:2]).split())
    assert whole.startswith(entry.summary) and len(entry.summary) < len(whole)
    assert "escaped_description" in feed.quirks


def test_last_build_date_in_plus_04_is_read_right_and_precedes_the_first_item():
    site, body, feed = replay_feed()
    built = body.split(b"<lastBuildDate>", 1)[1].split(b"</lastBuildDate>", 1)[0].decode()
    assert built.endswith(" +04")
    read = parse_dateline(built, tz=SITE.timezone)
    assert read.utcoffset() == timedelta(0)
    assert parsedate_to_datetime(built).utcoffset() == timedelta(minutes=4)  # the trap email.utils falls in
    local = datetime.strptime(built[5:25], "%d %b %Y %H:%M:%S").replace(tzinfo=timezone(timedelta(hours=4)))
    assert read == local.astimezone(timezone.utc)
    first = parse_dateline(feed.entries[0].published, tz=SITE.timezone)
    assert first - read == template.BUILD_LAG - timedelta(seconds=14)  # the first item is dated after the build


def test_ids_are_out_of_order_and_the_id_is_the_last_digit_run():
    _, _, feed = replay_feed()
    ids = [int(article_id(entry.url)) for entry in feed.entries]
    assert ids != sorted(ids, reverse=True)
    assert ids[0] == 521378 and feed.entries[0].url.split("/")[-1].startswith("18-milyonluq-2-")
    assert feed.entries[0].title == "18 milyonluq"  # the feed's title is the headline's first part


def test_qafqazinfos_copies_differ_from_apas_but_tell_the_same_story():
    params = StoryParams()
    apa = {s.id: s for s in CORPUS["az"]}
    for copy in template.TEMPLATE.stories(EDITION):
        if copy.dropped_as or copy.id not in apa:
            continue
        ours = "\n\n".join(plain_text(p) for p in copy.paragraphs)
        theirs = "\n\n".join(plain_text(p) for p in apa[copy.id].paragraphs)
        assert "APA" not in ours and "Qafqazinfo" in ours, copy.id
        assert content_hash(copy.title, ours) != content_hash(apa[copy.id].title, theirs), copy.id
        assert same_story(make_sketch(ours, params), make_sketch(theirs, params), params), copy.id


def test_scrapy_check_passes_offline(tmp_path):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"),
           "NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}  # fmt: skip
    with ReplayServer(build_replay(["qafqazinfo"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "qafqazinfo", "-v", "-a", f"base_url={server.base_url(HOST)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "contracts" in output and output.rstrip().endswith("OK"), output
    served = {hit.path for hit in server.hits if hit.status == 200}
    assert {LISTING_PATH, RSS_PATH, SITE.samples.articles["az"]} <= served, served
