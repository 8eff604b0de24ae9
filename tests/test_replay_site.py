"""The replay site and its server: what the crawl tests rely on."""
from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse

from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops, synthetic_replay
from newsmon.replay.corpus import QUIRKS
from newsmon.replay.site import NO_ANSWER, Page
from newsmon.replay.outlets.apa import moved_from_path
from newsmon.sites.apa import EDITIONS, SITE


@pytest.fixture(scope="module")
def server():
    with ReplayServer(build_replay(["apa"])) as running:
        yield running


def get(server: ReplayServer, host: str, target: str) -> http.client.HTTPResponse:
    address = urlsplit(server.base_url(host))
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", target)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_replay_covers_what_the_issue_asks_for():
    site = build_replay(["apa"])
    assert sum(len(stories) for stories in site.stories.values()) >= 40
    assert len(expected_articles(site)) >= 40
    used = {quirk for stories in site.stories.values() for story in stories for quirk in story.quirks}
    assert used == set(QUIRKS)
    assert set(expected_drops(site)) == {"no_date", "no_body", "truncated", "malformed", "http_404", "http_5xx"}
    titles = [story.title for stories in site.stories.values() for story in stories]
    assert any(t.endswith(" - FOTO") for t in titles) and any(t.endswith(" - PHOTO") for t in titles)
    for lang, edition in EDITIONS.items():
        assert "/all-news?page=3" in site.pages[edition.host], lang


def test_listing_pages_routed_by_query(server):
    first, second = get(server, "en.apa.az", "/all-news"), get(server, "en.apa.az", "/all-news?page=2")
    assert first.status == second.status == 200
    assert first.body != second.body
    assert get(server, "en.apa.az", "/all-news?page=99").status == 404
    listing = SITE.parse_listing(HtmlResponse(url="https://en.apa.az/all-news?page=2", body=second.body), EDITIONS["en"])
    assert listing.next_url == "https://en.apa.az/all-news?page=3"
    assert any("utm_source=" in link.url for link in listing.links)  # the tracking-parameter variant


def test_article_ignores_tracking_parameters(server):
    story = build_replay(["apa"]).stories["apa:az"][0]
    plain = get(server, "apa.az", story.path)
    tracked = get(server, "apa.az", story.path + "?utm_source=telegram")
    assert plain.status == tracked.status == 200 and plain.body == tracked.body
    assert plain.getheader("Content-Type") == "text/html; charset=utf-8"


def test_flaky_page_fails_once(server):
    story = next(s for s in server.site.stories["apa:az"] if "flaky" in s.quirks)
    assert [get(server, "apa.az", story.path).status for _ in range(3)] == [503, 200, 200]


def test_redirect_is_relative_and_robots_and_rss_are_served(server):
    moved = next(s for s in server.site.stories["apa:en"] if "moved" in s.quirks)
    old_path = moved_from_path(moved)
    redirect = get(server, "en.apa.az", old_path)
    assert (redirect.status, redirect.getheader("Location")) == (301, moved.path)
    assert get(server, "ru.apa.az", "/robots.txt").body.startswith(b"User-agent: *")
    rss = get(server, "ru.apa.az", "/rss")
    assert rss.getheader("Content-Type").startswith("application/rss+xml")
    assert rss.body.count(b"<item>") == 7 and b"<pubDate>" in rss.body
    assert [hit.status for hit in server.hits if hit.path == old_path] == [301]


def test_a_stalled_page_never_answers_and_the_server_stops_with_it_in_flight():
    site = build_replay(["apa"])
    story = site.stories["apa:en"][0]
    site.add("en.apa.az", story.path, Page.stalled(600))  # far longer than the test may take
    server = ReplayServer(site).start()
    address = urlsplit(server.base_url("en.apa.az"))
    # The bounds below only keep a broken server from hanging the test.
    with socket.create_connection((address.hostname, address.port), timeout=60) as client:
        client.sendall(f"GET {story.path} HTTP/1.1\r\nHost: en.apa.az\r\n\r\n".encode())
        deadline = time.monotonic() + 60
        while not server.hits and time.monotonic() < deadline:  # until the server holds the request
            time.sleep(0.01)
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        stopping.join(60)
        assert not stopping.is_alive(), "stop() waits for the stalled request"
        assert client.recv(1024) == b""  # the connection was closed without a word
    assert [(hit.path, hit.status) for hit in server.hits] == [(story.path, NO_ANSWER)]


def test_synthetic_replay_has_distinct_articles():
    site = synthetic_replay(120, page_size=20)
    stories = site.stories["apa:en"]
    assert len(stories) == 120 and len({s.title for s in stories}) == 120
    assert "/all-news?page=6" in site.pages["en.apa.az"] and "/all-news?page=7" not in site.pages["en.apa.az"]


def test_every_outlets_copy_of_an_event_is_a_text_of_its_own():
    """Copies of one event at several outlets differ (credits, order): the same text twice would be
    stored once, as a duplicate, and the crawl tests would miss an article."""
    from newsmon.fingerprint import content_hash

    records = expected_articles(build_replay()).values()
    hashes = [content_hash(record["title"], record["body"]) for record in records]
    assert len(hashes) == len(set(hashes))
