"""The real `scrapy crawl azertac` over real HTTP against the local replay of azertag.az.

Each edition (az, en, ru: one host, one port, /en and /ru prefixes) is crawled twice into one
store: every stored article field by field, the drop counters, the fallbacks, the rerun that
fetches only robots.txt, the first listing page and the feed. Then the traps: the 400 for a
non-browser User-Agent, the feed without `<guid>`, the update under a new URL that joins its
original's story, the update under the same URL that becomes a revision, the mojibake text.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter

import pytest
from scrapy.http import XmlResponse

from newsmon.fingerprint import content_hash
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets import azertac as template
from newsmon.replay.site import CORPUS, plain_text
from newsmon.sites import feeds
from newsmon.sites.azertac import EDITIONS, LISTING_PATH, RSS_PATH, SITE
from newsmon.store import open_store
from newsmon.stories import StoryParams, make_sketch, same_story
from settings.base import USER_AGENT as DEFAULT_USER_AGENT
from crawl_helpers import assert_ran_cleanly, assert_stored_as_expected, crawl_environment, crawl_twice, store_uri, stored_records

HOST = template.HOST
SCOPES = tuple(f"azertac:{lang}" for lang in EDITIONS)
RERUN_PATHS = (LISTING_PATH, RSS_PATH)


def story(site, scope: str, story_id: int):
    return next(s for s in site.stories[scope] if s.id == story_id)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawl_twice(tmp_path_factory.mktemp("azertac-crawl"), ["azertac"], SCOPES)


def test_both_crawls_run_to_the_end(crawled):
    assert_ran_cleanly([*crawled["first"].values(), *crawled["second"].values()])


def test_every_stored_article_is_the_expected_one_field_by_field(crawled):
    stored, expected = crawled["stored_after_first"], expected_articles(crawled["site"])
    assert_stored_as_expected(stored, expected)
    assert len(stored) >= 25


def test_drops_fallbacks_and_skips_are_counted(crawled):
    site, runs = crawled["site"], crawled["first"]
    for scope, run in runs.items():
        counted = Counter({reason: run.stat(f"newsmon/azertac/{reason}") for reason in expected_drops(site, scope)})
        assert counted == expected_drops(site, scope), scope
        assert run.stat("newsmon/azertac/not_article_skipped") > 0, scope  # the sister edition's card
        assert run.stat("newsmon/azertac/stop/empty_page") == 1, scope  # the page after the last
        assert run.stat("newsmon/azertac/http_400") == 0, scope  # the profile's agent passes the gate
        lazy = sum(1 for s in site.stories[scope] if "lazy_image" in s.quirks and not s.dropped_as)
        assert run.stat("newsmon/azertac/fallback/image_body") == lazy, scope
        og_only = sum(1 for s in site.stories[scope] if "og_title_only" in s.quirks and not s.dropped_as)
        assert run.stat("newsmon/azertac/fallback/title_og") == og_only, scope
    assert sum(expected_drops(site).values()) == 6  # http_404, truncated, no_date, no_body, malformed, http_5xx
    assert runs["azertac:az"].stat("newsmon/retry/http_5xx") == 1  # the flaky page, stored after one retry


def test_the_feed_has_no_guid_and_is_keyed_on_its_links(crawled):
    for scope, run in crawled["first"].items():
        assert run.stat("newsmon/azertac/feed/no_guid") == 1, scope
        prefix = EDITIONS[scope.split(":")[1]].prefix
        assert "feed/no_guid: http://127.0.0.1:" in run.log and f"{prefix}{RSS_PATH}" in run.log, scope
    body = crawled["site"].find(HOST, RSS_PATH).body
    assert b"<guid" not in body and b"<description>" not in body.split(b"<item>", 1)[1]
    feed = feeds.parse_rss(XmlResponse(url="https://azertag.az/rss", body=body))
    assert feed.quirks == ["no_guid"] and feed.entries
    assert all(entry.published.endswith(":00 +0400") for entry in feed.entries)
    assert all(SITE.is_article_url(entry.url, EDITIONS["az"]) for entry in feed.entries)


def test_the_rerun_fetches_only_robots_the_first_listing_page_and_the_feed(crawled):
    assert stored_records(crawled["uri"]) == crawled["stored_after_first"]
    requested = Counter(hit.target for hit in crawled["second_hits"])
    wanted = Counter(["/robots.txt"] * len(SCOPES))
    for scope in SCOPES:
        prefix = EDITIONS[scope.split(":")[1]].prefix
        wanted.update(prefix + path for path in RERUN_PATHS)
    assert requested == wanted
    for scope, run in crawled["second"].items():
        assert run.stat("newsmon/store/inserted") == 0, scope
        assert run.stat("newsmon/azertac/stop/all_known") == 1, scope


def test_each_article_page_is_fetched_once(crawled):
    articles = crawled["site"].article_paths(HOST)
    served = Counter(hit.path for hit in crawled["first_hits"] if hit.status == 200 and hit.path in articles)
    assert {path: n for path, n in served.items() if n != 1} == {}


# --- traps ----------------------------------------------------------------------------------------


def test_a_non_browser_user_agent_gets_400_and_the_profiles_agent_does_not():
    assert "Mozilla/" not in DEFAULT_USER_AGENT and "newsmon" in DEFAULT_USER_AGENT  # the default stays honest
    assert SITE.user_agent.startswith("Mozilla/5.0 (compatible; newsmon/")
    with ReplayServer(build_replay(["azertac"])) as server:
        for target in (LISTING_PATH, RSS_PATH, "/robots.txt"):
            request = urllib.request.Request(server.base_url(HOST) + target, headers={"User-Agent": DEFAULT_USER_AGENT})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 400, target
            request = urllib.request.Request(server.base_url(HOST) + target, headers={"User-Agent": SITE.user_agent})
            assert urllib.request.urlopen(request, timeout=10).status == 200, target


def test_a_crawl_with_the_default_user_agent_counts_http_400_and_names_the_urls(tmp_path):
    """The spider's agent set back to the project's default (`-a user_agent=`): every request is
    refused; each is counted and logged with its URL, and the crawl ends normally."""
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(build_replay(["azertac"])) as server:
        run = crawl_replay(
            server, ["azertac:en"], store=uri, spider_args=[f"user_agent={DEFAULT_USER_AGENT}"],
            environment=crawl_environment(tmp_path),
        )["azertac:en"]  # fmt: skip
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/azertac/http_400") == 2  # the listing page and the feed
    assert "http_400: http://127.0.0.1:" in run.log and f"/en{LISTING_PATH}" in run.log and f"/en{RSS_PATH}" in run.log
    assert stored_records(uri) == {}


def test_an_update_under_a_new_url_joins_the_original_story(crawled):
    site, stored = crawled["site"], crawled["stored_after_first"]
    edition = EDITIONS["az"]
    original = story(site, "azertac:az", template.UPDATED["original"])
    update = story(site, "azertac:az", template.UPDATED["id"])
    assert "yenilenib" in template.story_path(edition, update) and template.azertac_id(update) > template.azertac_id(original)
    first, second = stored[template.public_url(edition, original)], stored[template.public_url(edition, update)]
    assert second["labels"] == ["YENİLƏNİB"] and second["title"] == first["title"]
    assert first["content_hash"] != second["content_hash"]
    assert first["story_id"] == second["story_id"]
    # No other article joins that story but the event's translations in the other editions.
    others = [r for url, r in stored.items() if url not in (first["url"], second["url"])]
    # (Which copy founds the story depends on which edition's crawl stores first.)
    assert all(r["lang"] != "az" for r in others if r["story_id"] == first["story_id"])


def test_an_update_under_the_same_url_is_a_revision_of_the_article(tmp_path):
    site = build_replay(["azertac"])
    scope, edition = "azertac:az", EDITIONS["az"]
    uri = store_uri(tmp_path / "store.db")
    environment = crawl_environment(tmp_path)
    before = story(site, scope, 954016)
    url = template.public_url(edition, before)
    with ReplayServer(site) as server:
        first = crawl_replay(server, [scope], store=uri, environment=environment)[scope]
        assert first.ran, first.log[-3000:]
        count = len(stored_records(uri))
        after = template.revise(site, scope, before.id, before.title + " – YENİLƏNİB 2", "Qiymət axşam saatlarında da sabit qalıb.")
        assert template.public_url(edition, after) == url and "axşam".encode() in site.find(HOST, template.story_path(edition, after)).body
        rerun = crawl_replay(server, [scope], store=uri, environment=environment)[scope]
        assert rerun.ran and rerun.stat("newsmon/store/inserted") == 0, rerun.log[-3000:]  # the URL is known
        command = [
            sys.executable, "-m", "scrapy", "parse", "--spider", "azertac", "--pipelines", "-c", "parse_article",
            "--cbkwargs", json.dumps({"edition": "az"}), "-a", "editions=az", "-a", f"base_url={server.base_url(HOST)}",
            server.base_url(HOST) + template.story_path(edition, before),
        ]  # fmt: skip
        env = {**os.environ, **environment, "NEWSMON_STORE": uri, "SCRAPY_SETTINGS_MODULE": "settings.dev"}
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    stored = stored_records(uri)
    assert len(stored) == count
    assert stored[url]["labels"] == ["YENİLƏNİB 2"] and stored[url]["title"] == before.title
    assert stored[url]["body"].endswith("Qiymət axşam saatlarında da sabit qalıb.")
    with open_store(uri) as store:
        (revision,) = store.revisions(url)
    assert revision["article"].url == url and "axşam" not in revision["article"].body


def test_the_mojibake_article_is_stored_repaired(crawled):
    site, stored = crawled["site"], crawled["stored_after_first"]
    garbled = story(site, "azertac:az", template.MOJIBAKE)
    path = template.story_path(EDITIONS["az"], garbled)
    page = site.find(HOST, path).body.decode("utf-8")
    assert "É™" in page and "ə" not in page.split('class="news-body">', 1)[1].split("</div>", 1)[0]
    record = stored[EDITIONS["az"].origin + path]
    assert record["body"] == "\n\n".join(plain_text(p) for p in garbled.paragraphs)
    assert "É™" not in record["body"] and "ə" in record["body"]


def test_azertacs_copies_differ_from_apas_but_tell_the_same_story():
    params = StoryParams()
    for lang, edition in EDITIONS.items():
        apa = {s.id: s for s in CORPUS[lang]}
        for copy in template.TEMPLATE.stories(edition):
            if copy.dropped_as or copy.id not in apa:
                continue
            ours = "\n\n".join(plain_text(p) for p in copy.paragraphs)
            theirs = "\n\n".join(plain_text(p) for p in apa[copy.id].paragraphs)
            assert "APA" not in ours and template.AGENCY[lang] in ours, copy.id
            assert content_hash(copy.title, ours) != content_hash(apa[copy.id].title, theirs), copy.id
            assert same_story(make_sketch(ours, params), make_sketch(theirs, params), params), copy.id


@pytest.mark.parametrize("lang", tuple(EDITIONS))
def test_scrapy_check_passes_offline_for_each_edition(tmp_path, lang):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    with ReplayServer(build_replay(["azertac"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "azertac", "-v", "-a", f"editions={lang}"]
        command += ["-a", f"base_url={server.base_url(HOST)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.rstrip().endswith("OK"), output
    prefix = EDITIONS[lang].prefix
    served = {hit.path for hit in server.hits if hit.status == 200}
    assert {prefix + LISTING_PATH, prefix + RSS_PATH, prefix + SITE.samples.articles[lang]} <= served, served
    assert not [hit for hit in server.hits if hit.status == 400]
