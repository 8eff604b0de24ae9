"""Azernews crawled by its own page parser, and by generic extraction standing in for it.

`scrapy crawl azernews` over real HTTP against its replay on 127.0.0.1: the parser's crawl is
checked field by field and incrementally; the same replay crawled with
`-s NEWSMON_GENERIC_EXTRACTION=azernews` (the profile alone, as a site is read the day it is
added or while a redesign breaks its parser) is compared with the parser's results field by
field. Then APA's pages read by generic extraction, another outlet's stand-in.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from newsmon.items import to_record
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets.azernews import AUTHOR, is_bare, is_wire
from newsmon.sites import REGISTRY
from newsmon.sites.azernews import SITE
from newsmon.spiders.base import PERMANENT_DROPS
from newsmon.store import open_store

SCOPE = "azernews:en"
HOST = "www.azernews.az"
# Fields generic extraction must get right on every page, and those it is measured on.
MUST_AGREE = ("url", "site", "outlet", "lang", "title", "published_at")
MEASURED = ("body", "dateline", "category", "tags", "authors", "image_url", "labels")


def environment(tmp_path: Path) -> dict[str, str]:
    return {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}


def stored_records(uri: str) -> dict[str, dict]:
    with open_store(uri) as store:
        return {article.url: to_record(article) for article in store.query()}


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """The parser's crawl twice into one store; generic extraction's once into another."""
    tmp_path = tmp_path_factory.mktemp("azernews")
    site = build_replay(["azernews"])
    parser_uri, generic_uri = (f"sqlite:///{tmp_path / name}" for name in ("parser.db", "generic.db"))
    with ReplayServer(site) as server:
        first = crawl_replay(server, [SCOPE], store=parser_uri, environment=environment(tmp_path))[SCOPE]
        first_hits = len(server.hits)
        second = crawl_replay(server, [SCOPE], store=parser_uri, environment=environment(tmp_path))[SCOPE]
        rerun = Counter(hit.target for hit in server.hits[first_hits:])
        generic = crawl_replay(
            server, [SCOPE], store=generic_uri, environment=environment(tmp_path),
            settings={"NEWSMON_GENERIC_EXTRACTION": "azernews"},
        )[SCOPE]  # fmt: skip
    return {
        "site": site, "first": first, "second": second, "rerun": rerun, "generic": generic,
        "parser": stored_records(parser_uri), "by_generic": stored_records(generic_uri),
    }  # fmt: skip


def test_azernews_has_its_own_parser_by_default():
    assert REGISTRY["azernews"].has_page_parser


def test_the_parser_crawl_stores_every_expected_field_and_reruns_incrementally(crawls):
    first, second, site = crawls["first"], crawls["second"], crawls["site"]
    assert first.ran and second.ran, first.log[-3000:] + second.log[-3000:]
    expected, stored = expected_articles(site), crawls["parser"]
    assert sorted(stored) == sorted(expected) and len(stored) >= 10
    for url, want in expected.items():
        for name, value in want.items():
            assert stored[url][name] == value, f"{url}: {name}: {stored[url][name]!r} != {value!r}"
    assert not first.stat("newsmon/azernews/fallback/generic")
    for reason, count in expected_drops(site).items():
        assert first.stat(f"newsmon/azernews/{reason}") == count, reason
    assert "truncated" in expected_drops(site)
    stories = [s for s in site.stories[SCOPE] if not s.dropped_as]
    # Bare pages (no metadata): the category comes from the URL's section.
    assert first.stat("newsmon/azernews/fallback/category_url") == sum(map(is_bare, stories)) > 0
    assert first.stat("newsmon/azernews/fallback/date_text") > 0  # the dateline in a span of another class
    assert {tuple(r["authors"]) for r in stored.values()} == {(), (AUTHOR,)}  # wire items name nobody
    assert any(is_wire(s) for s in stories)
    assert any("Azernews reports via APA." in r["body"] for r in stored.values())
    # The rerun reads the feed, and fetches again only the page whose failure may pass (cut off in
    # transit: not remembered as dropped); nothing is stored again.
    template, edition = site.editions[SCOPE]
    retried = [template.story_path(edition, s) for s in site.stories[SCOPE] if s.dropped_as and s.dropped_as not in PERMANENT_DROPS]
    assert crawls["rerun"] == Counter({"/robots.txt": 1, "/feed.php": 1, **{path: 1 for path in retried}})
    assert second.stat("newsmon/store/inserted") == 0 and second.stat("newsmon/azernews/truncated") == len(retried)


def test_generic_extraction_stands_in_for_the_parser_and_mostly_agrees(crawls, capsys):
    """On pages with metadata generic extraction gets the key fields right; on bare pages (no og,
    no JSON-LD) it is measured and reported, not trusted: that is why Azernews has a parser."""
    site, generic, by_parser, by_generic = crawls["site"], crawls["generic"], crawls["parser"], crawls["by_generic"]
    assert generic.ran, generic.log[-3000:]
    assert generic.stat("newsmon/azernews/fallback/generic") == generic.stat("newsmon/azernews/articles") > 0
    assert set(by_generic) <= set(by_parser) and len(by_generic) >= len(by_parser) - 1
    template, edition = site.editions[SCOPE]
    bare = {edition.origin + template.story_path(edition, s) for s in site.stories[SCOPE] if is_bare(s)}
    agreement: dict[str, Counter] = {"metadata": Counter(), "bare": Counter()}
    pages = Counter("bare" if url in bare else "metadata" for url in by_generic)
    for url, record in by_generic.items():
        kind = "bare" if url in bare else "metadata"
        if kind == "metadata":
            for name in MUST_AGREE:
                assert record[name] == by_parser[url][name], (url, name, record[name], by_parser[url][name])
        agreement[kind].update(name for name in (*MUST_AGREE, *MEASURED) if record[name] == by_parser[url][name])
    report = {
        kind: {name: f"{counts[name]}/{pages[kind]}" for name in (*MUST_AGREE, *MEASURED)} for kind, counts in agreement.items()
    }
    with capsys.disabled():
        print(f"\ngeneric extraction vs the Azernews parser, fields agreeing by page kind: {report}")
    assert pages["metadata"] and pages["bare"]
    # The text is all there (generic extraction may keep a line of chrome above it: reported above).
    for url, record in by_generic.items():
        missing = set(by_parser[url]["body"].split("\n\n")) - set(record["body"].split("\n\n"))
        assert not missing, (url, missing)
    assert agreement["bare"]["published_at"] == pages["bare"], report  # the printed dateline, read from the text


def test_the_parser_reads_a_bare_page_and_names_its_fallbacks():
    site = build_replay(["azernews"])
    template, edition = site.editions[SCOPE]
    story = next(s for s in site.stories[SCOPE] if is_bare(s) and not s.dropped_as and "no_image" not in s.quirks)
    path = template.story_path(edition, story)
    url = edition.origin + path
    parsed = SITE.parse_article(HtmlResponse(url=url, body=site.find(HOST, path).body), edition, url)
    assert b"og:title" not in site.find(HOST, path).body and b"ld+json" not in site.find(HOST, path).body
    assert "category_url" in parsed.fallbacks and "image_og" not in parsed.fallbacks
    assert parsed.article.dateline.endswith("(UTC+04:00)") and parsed.article.published_at is None


def test_a_dateline_out_of_shape_in_span_me_3_is_not_taken():
    html = b"""<!DOCTYPE html><html><head><meta property="article:published_time" content="2025-07-21T09:45:00+04:00"></head><body>
    <div class="article-content-wrapper"><h2>Headline</h2><span class="me-3">1,204 views</span>
    <div class="article-content"><p>Text, Azernews reports via Bild.</p></div></div></body></html>"""
    url = "https://www.azernews.az/region/244958.html"
    parsed = SITE.parse_article(HtmlResponse(url=url, body=b" " + html), SITE.editions[0], url)
    assert parsed.article.dateline == "2025-07-21T09:45:00+04:00" and "date_meta" in parsed.fallbacks
    assert parsed.article.published_at.isoformat() == "2025-07-21T05:45:00+00:00"
    assert parsed.article.authors == [] and parsed.article.body == "Text, Azernews reports via Bild."


def test_scrapy_check_passes_offline(tmp_path):
    env = {**os.environ, "NEWSMON_STORE": f"sqlite:///{tmp_path / 'store.db'}", **environment(tmp_path)}
    with ReplayServer(build_replay(["azernews"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "azernews", "-v", "-a", "editions=en"]
        command += ["-a", f"base_url={server.base_url(HOST)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and output.rstrip().endswith("OK"), output
    assert {"/feed.php", SITE.samples.articles["en"]} <= {hit.path for hit in server.hits if hit.status == 200}


def test_generic_extraction_can_stand_in_for_a_sites_parser(tmp_path: Path):
    """-s NEWSMON_GENERIC_EXTRACTION=apa: APA's pages read without APA's parser, as while a
    redesign breaks it. Where the article is, its title and its date still come through."""
    site = build_replay(["apa"])
    uri = f"sqlite:///{tmp_path / 'store.db'}"
    with ReplayServer(site) as server:
        run = crawl_replay(
            server, ["apa:en"], store=uri, environment=environment(tmp_path), settings={"NEWSMON_GENERIC_EXTRACTION": "apa"}
        )["apa:en"]
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/apa/fallback/generic") == run.stat("newsmon/apa/articles") > 0
    expected = {url: record for url, record in expected_articles(site).items() if record["site"] == "en.apa.az"}
    stored = stored_records(uri)
    assert set(stored) <= set(expected) and len(stored) >= len(expected) - 2
    for url, record in stored.items():
        assert (record["title"], record["published_at"]) == (expected[url]["title"], expected[url]["published_at"]), url
