"""The real `scrapy crawl oxu` over real HTTP against the local replay of Oxu.az (az at the root, ru under /ru).

Both editions are crawled twice into one store: every stored article field by field (labels
included), the drops, the fallbacks the pages call for, the RSS URL that answers HTML, the
"load more" cursor (az) and the numbered pages (ru) to their ends, and a rerun that fetches
only robots.txt, the front page, `/rss` and the news sitemap. Then the traps: a headline edited
on an unchanged slug, digit tails that are not ids, and a site that answers 403 or 429.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse

from newsmon.fingerprint import content_hash
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets import oxu as template
from newsmon.replay.outlets.oxu import TITLE_CHANGES, has_outer_body, is_bare, load_more_target, public_url, timestamp
from newsmon.replay.site import CORPUS, Page, retitle
from newsmon.sites.oxu import EDITIONS, LISTING_PATH, NEWS_SITEMAP_PATH, PAGE_PATH, RSS_PATH, SITE
from newsmon.spiders.base import PERMANENT_DROPS
from newsmon.stories import StoryParams, make_sketch, same_story
from newsmon.urls import canonicalize_url
from crawl_helpers import assert_ran_cleanly, assert_stored_as_expected, crawl_environment, crawl_twice, store_uri, stored_records

HOST = "oxu.az"
SCOPES = tuple(f"oxu:{lang}" for lang in EDITIONS)
RERUN_PATHS = (LISTING_PATH, RSS_PATH, NEWS_SITEMAP_PATH)
CHANGED_SCOPE, (CHANGED_SLUG, CHANGED_TITLE) = "oxu:az", next((slug, title) for (_, slug), title in TITLE_CHANGES.items())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawl_twice(tmp_path_factory.mktemp("oxu-crawl"), ["oxu"], SCOPES)


def test_both_crawls_run_to_the_end(crawled):
    assert_ran_cleanly([*crawled["first"].values(), *crawled["second"].values()])


def test_every_stored_article_is_the_expected_one_field_by_field(crawled):
    stored, expected = crawled["stored_after_first"], expected_articles(crawled["site"])
    assert_stored_as_expected(stored, expected)
    assert len(stored) >= 20
    labelled = {url: record["labels"] for url, record in stored.items() if record["labels"]}
    assert sorted(map(tuple, labelled.values())) == [("FOTO",), ("VİDEO",), ("YENİLƏNİB",), ("ФОТО",)]
    assert any(record["dateline"].startswith("Bu gün / ") for record in stored.values())
    assert any(record["dateline"].startswith("Dünən / ") for record in stored.values())
    assert any(" apr, 2026 / " in record["dateline"] for record in stored.values())  # a short month


def test_drops_and_fallbacks_are_counted_under_their_stats(crawled):
    site, runs = crawled["site"], crawled["first"]
    for scope, run in runs.items():
        counted = Counter({reason: run.stat(f"newsmon/oxu/{reason}") for reason in expected_drops(site, scope)})
        assert counted == expected_drops(site, scope), scope
        stored = [s for s in site.stories[scope] if not s.dropped_as]
        outer = sum(1 for s in stored if has_outer_body(s))
        bare_with_image = sum(1 for s in stored if is_bare(s) and "no_image" not in s.quirks)
        assert run.stat("newsmon/oxu/fallback/body_outer") == outer > 0, scope
        assert run.stat("newsmon/oxu/fallback/image_body") == bare_with_image > 0, scope
        assert not [key for key in run.stats if key.startswith("newsmon/oxu/fallback/date")], scope
    assert set(expected_drops(site)) == {"http_404", "no_date", "no_body", "malformed", "http_5xx"}


def test_the_rss_url_answers_html_and_the_crawl_goes_on(crawled):
    for scope, run in crawled["first"].items():
        edition = EDITIONS[scope.split(":")[1]]
        assert run.stat("newsmon/oxu/feed/not_a_feed") == 1, scope
        line = next(line for line in run.log.splitlines() if "feed/not_a_feed:" in line)
        assert f"{edition.prefix}{RSS_PATH}: root element is <html>" in line, line  # the log names the URL
        assert run.stat("newsmon/oxu/articles") > 0, scope


def test_the_load_more_cursor_and_the_numbered_pages_are_followed_to_their_ends(crawled):
    site, runs, hits = crawled["site"], crawled["first"], crawled["first_hits"]
    az = site.stories["oxu:az"]
    cursors = sorted({load_more_target(EDITIONS["az"], timestamp(az[min(i, len(az)) - 1])) for i in range(template.PAGE_SIZE, len(az) + template.PAGE_SIZE, template.PAGE_SIZE)})
    requested = sorted(hit.target for hit in hits if hit.path == template.LOAD_MORE_PATH)
    assert requested == cursors
    ru = site.stories["oxu:ru"]
    pages = len(range(0, len(ru), template.PAGE_SIZE))
    numbered = sorted(hit.target for hit in hits if hit.path.startswith("/ru/page/"))
    assert numbered == sorted(f"/ru{PAGE_PATH.format(n=n)}" for n in range(2, pages + 2))  # up to the empty page
    for run in runs.values():
        assert run.stat("newsmon/oxu/stop/empty_page") == 1, run.scope


def test_the_rerun_fetches_only_robots_the_front_page_the_feed_and_the_sitemap(crawled):
    site = crawled["site"]
    assert stored_records(crawled["uri"]) == crawled["stored_after_first"]
    wanted = Counter(["/robots.txt"] * len(SCOPES))
    for scope in SCOPES:
        wanted.update(EDITIONS[scope.split(":")[1]].prefix + path for path in RERUN_PATHS)
    assert Counter(hit.target for hit in crawled["second_hits"]) == wanted
    for scope, run in crawled["second"].items():
        assert run.stat("newsmon/store/inserted") == 0, scope
        assert run.stat("newsmon/oxu/stop/all_known") == 1, scope
    assert "http_5xx" in set(expected_drops(site)) - PERMANENT_DROPS  # past the first page, out of the sitemap


def test_digit_tails_are_slugs_and_image_colons_stay(crawled):
    stored = crawled["stored_after_first"]
    tails = [url for url in stored if url.rsplit("-", 1)[-1].isdigit()]
    assert len(tails) >= 4
    for url in tails:
        assert canonicalize_url(url) == url and SITE.is_article_url(url, SITE.edition_of(url))
    images = [record["image_url"] for record in stored.values() if record["image_url"]]
    assert images and all(":600.jpg" in image and canonicalize_url(image) == image for image in images)


# --- traps ----------------------------------------------------------------------------------------


def test_a_retitled_article_stays_one_url(tmp_path):
    site = build_replay(["oxu"])
    uri = store_uri(tmp_path / "store.db")
    environment = crawl_environment(tmp_path)
    story = next(s for s in site.stories[CHANGED_SCOPE] if s.slug == CHANGED_SLUG)
    url = public_url(EDITIONS["az"], story)
    assert "68" in url and "69" in story.title == CHANGED_TITLE
    with ReplayServer(site) as server:
        first = crawl_replay(server, [CHANGED_SCOPE], store=uri, environment=environment)[CHANGED_SCOPE]
        assert first.ran, first.log[-3000:]
        before = stored_records(uri)
        assert before[url]["title"] == CHANGED_TITLE
        edited = retitle(site, CHANGED_SCOPE, CHANGED_SLUG, "Azərbaycan neftinin qiyməti 70 dolları ötüb")
        rerun = crawl_replay(server, [CHANGED_SCOPE], store=uri, environment=environment)[CHANGED_SCOPE]
        assert rerun.ran and rerun.stat("newsmon/store/inserted") == 0, rerun.log[-3000:]
    page = site.find(HOST, urlsplit(url).path)
    parsed = SITE.parse_article(HtmlResponse(url=url, body=page.body), EDITIONS["az"], url)
    assert (parsed.article.url, parsed.article.title) == (url, edited.title)  # the same URL, the new headline
    assert sorted(stored_records(uri)) == sorted(before)


def blocked_crawl(tmp_path: Path, refusal: Page):
    """One edition's crawl while the replay's gate refuses every request (robots.txt too)."""
    site = build_replay(["oxu"])
    site.gates[HOST] = lambda user_agent: refusal
    with ReplayServer(site) as server:
        run = crawl_replay(
            server, ["oxu:az"], store=store_uri(tmp_path / "store.db"), environment=crawl_environment(tmp_path)
        )["oxu:az"]
    return run, [hit.target for hit in server.hits]


def test_a_403_to_every_request_is_reported_blocked_and_nothing_more_is_asked(tmp_path):
    run, hits = blocked_crawl(tmp_path, Page(403, b"<html><body><h1>403 Forbidden</h1></body></html>"))
    assert run.returncode == 3, run.log[-3000:]  # a monitor failed
    assert hits == ["/robots.txt"]  # the first refusal; nothing asked after it
    assert run.stat("newsmon/blocked/http_403") == 1
    assert run.stat("newsmon/oxu/blocked") == 3  # the front page, /rss and the sitemap, never sent
    assert run.stat("newsmon/oxu/articles") == 0 and not run.stat("newsmon/retry/http_403")
    assert any("Blocked Site Monitor" in failure for failure in run.monitor_failures)
    assert run.log.count("no more requests to it in this run") == 1
    assert "blocked (http_403) by 127.0.0.1" in run.log and "/robots.txt" in run.log


def test_a_429_with_retry_after_is_blocked_not_retried_or_waited_for(tmp_path):
    run, hits = blocked_crawl(tmp_path, Page(429, b"", headers=(("Retry-After", "3600"),)))
    assert run.returncode == 3, run.log[-3000:]
    assert hits == ["/robots.txt"]
    assert run.stat("newsmon/blocked/http_429") == 1 and run.stat("newsmon/oxu/blocked") == 3
    assert not [key for key in run.stats if key.startswith("newsmon/retry/")]
    assert run.stats.get("elapsed_time_seconds", 0) < 60  # Retry-After: 3600 is not slept on


def test_oxus_copies_differ_from_apas_but_tell_the_same_story():
    params = StoryParams()
    for lang in EDITIONS:
        apa = {story.id: story for story in CORPUS[lang]}
        for index, story in enumerate(template.TEMPLATE.stories(EDITIONS[lang])):
            if story.dropped_as:
                continue
            original = CORPUS[lang][index]
            assert "APA" not in " ".join(story.paragraphs) and "Oxu.az" in " ".join(story.paragraphs), story.slug
            ours, theirs = ("\n\n".join(s.paragraphs) for s in (story, original))
            assert content_hash(story.title, ours) != content_hash(original.title, theirs), story.slug
            assert same_story(make_sketch(ours, params), make_sketch(theirs, params), params), story.slug
        assert apa


@pytest.mark.parametrize("lang", tuple(EDITIONS))
def test_scrapy_check_passes_offline_for_each_edition(tmp_path, lang):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    with ReplayServer(build_replay(["oxu"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "oxu", "-v", "-a", f"editions={lang}"]
        command += ["-a", f"base_url={server.base_url(HOST)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.rstrip().endswith("OK"), output
    prefix = EDITIONS[lang].prefix
    served = {hit.path for hit in server.hits if hit.status == 200}
    assert {prefix + LISTING_PATH, prefix + RSS_PATH, prefix + NEWS_SITEMAP_PATH} <= served, served
    assert prefix + SITE.samples.articles[lang] in served, served
