"""The desk as a person uses it: `newsmon serve` started as a real process (uvicorn) over a store
filled by a real replay crawl, driven in headless Chromium (Debian's `chromium`, by Playwright;
no browser is ever downloaded). Each page is opened, searched and clicked through, with the
token the server requires; a screenshot of each is kept in test-artifacts/screenshots/.

Chromium missing is a failure, not a skip: CI installs it (.ci/run).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawl_helpers import crawl_environment, store_uri
from mongo_server import free_port
from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.replay import ReplayServer, build_replay
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.store import open_store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
# Editions whose replays tell the story of İlham Əliyev's meeting and of the new metro station, in
# Azerbaijani and in English: enough for every page, and a crawl of a minute.
SCOPES = ["apa:az", "apa:en", "oxu:az"]
TOKEN = "desk-browser-test-token"
HOSTILE = Article(
    url="javascript:alert('url')", site="oxu.az", outlet="oxu", lang="az",
    title="<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> Hostile Sumqayıt",
    body="<script>alert('body')</script>\n\n<a href=\"javascript:alert(1)\">click</a> Sumqayıt",
    published_at=datetime(2026, 4, 9, 8, 0, tzinfo=timezone.utc), story_id="hostile-story",
)  # fmt: skip
HOSTILE.content_hash = content_hash(HOSTILE.title, HOSTILE.body)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Chromium is not installed ({CHROMIUM}): apt-get install -y chromium (.ci/run does it)", pytrace=False)
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture(scope="module")
def desk_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("desk")
    uri = store_uri(folder / "desk.db")
    with ReplayServer(build_replay()) as server:
        runs = crawl_replay(server, SCOPES, store=uri, environment=crawl_environment(folder))
    assert all(run.ran for run in runs.values()), {scope: run.log[-2000:] for scope, run in runs.items() if not run.ran}
    with open_store(uri) as store:
        store.upsert_many([HOSTILE])
    return uri


@pytest.fixture(scope="module")
def desk(desk_store: str) -> Iterator[str]:
    """The base URL of `newsmon serve` running on a free loopback port, with a token."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "serve", "--store", desk_store, "--port", str(port)],
        cwd=PROJECT_ROOT, env={**os.environ, "NEWSMON_SERVE_TOKEN": TOKEN},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_listening(base, process)
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
        assert "Traceback" not in output, output


def _wait_until_listening(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"newsmon serve exited {process.returncode}: {process.stdout.read()}")
        try:
            urllib.request.urlopen(f"{base}/", timeout=2)
        except urllib.error.HTTPError as refused:  # 401: it answers, and wants the token
            assert refused.code == 401
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("newsmon serve did not answer within 60 s")


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


class Desk:
    """One browser page on the desk, recording what a person would notice went wrong."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.problems: list[str] = []  # console errors (CSP violations among them), script errors, dialogs
        page.on("console", lambda message: message.type == "error" and self.problems.append(message.text))
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("dialog", lambda dialog: (self.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return response

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def headlines(self) -> list[str]:
        return self.page.locator("a.headline").all_inner_texts()


@pytest.fixture(scope="module")
def signed_in(browser, desk: str) -> Iterator[Desk]:
    """A browser that opened the desk once with the token, as a person given the link would."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    desk_page = Desk(page, desk)
    page.goto(f"{desk}/?token={TOKEN}")
    assert page.url == f"{desk}/"  # the token left the address; the cookie keeps it
    yield desk_page
    context.close()


@pytest.fixture
def desk_page(signed_in: Desk) -> Iterator[Desk]:
    signed_in.problems.clear()
    yield signed_in
    assert signed_in.problems == []


def test_without_the_token_the_browser_gets_nothing(browser, desk):
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(f"{desk}/")
    assert response.status == 401 and "token is required" in page.content()
    assert page.goto(f"{desk}/api/articles").status == 401
    context.close()


def test_now_page(desk_page: Desk):
    desk_page.open("/")
    rows = desk_page.page.locator("table.articles tbody tr")
    assert rows.count() >= 20
    first = rows.first.inner_text()
    assert "UTC" in first and "Baku" in first
    desk_page.page.select_option("select[name=lang]", "en")
    desk_page.page.click("form.filters button")
    assert desk_page.page.url.endswith("lang=en") or "lang=en" in desk_page.page.url
    langs = desk_page.page.locator("table.articles tbody tr td:nth-child(4)").all_inner_texts()
    assert langs and set(langs) == {"en"}
    desk_page.screenshot("now")


def search(desk_page: Desk, text: str) -> list[str]:
    desk_page.open("/search")
    desk_page.page.fill("input[name=q]", text)
    desk_page.page.press("input[name=q]", "Enter")
    desk_page.page.wait_for_load_state()
    return desk_page.headlines()


def test_search_in_azerbaijani_with_and_without_its_letters(desk_page: Desk):
    without = search(desk_page, "Aliyev")
    plain_e = search(desk_page, "Eliyev")
    with_letters = search(desk_page, "Əliyev")
    assert with_letters and sorted(with_letters) == sorted(without)
    assert set(plain_e) < set(with_letters)  # `Eliyev` is how Azerbaijani is typed without ə: the az copies
    assert any("Əliyev" in title for title in plain_e) and any("Aliyev" in title for title in with_letters)
    marks = desk_page.page.locator("mark").all_inner_texts()
    assert {"Əliyev", "Aliyev"} <= set(marks)
    desk_page.screenshot("search")


def test_open_a_story_from_the_search(desk_page: Desk):
    search(desk_page, "metro")  # the new metro station: told by apa (az, en) and oxu
    desk_page.page.locator("p.group-head a.story").first.click()  # a story the search found several copies of
    desk_page.page.wait_for_load_state()
    assert "/story/" in desk_page.page.url
    assert "First:" in desk_page.page.locator("p.summary").inner_text()
    rows = desk_page.page.locator("table.story tbody tr")
    assert rows.count() >= 2
    assert rows.first.locator("td.after").inner_text() == "first"
    assert rows.nth(1).locator("td.after").inner_text().startswith("+")
    desk_page.screenshot("story")


def test_article_page(desk_page: Desk):
    desk_page.open("/?outlet=apa")  # not the hostile article, the newest of all
    desk_page.page.locator("a.headline").first.click()
    desk_page.page.wait_for_load_state()
    assert "/article?key=" in desk_page.page.url
    assert desk_page.page.locator("div.body p").count() >= 1
    source = desk_page.page.locator("a.source")
    assert source.get_attribute("href").startswith(("http://", "https://"))
    assert desk_page.page.locator("section.revisions h2").inner_text() == "Revisions"
    desk_page.screenshot("article")


def test_sites_page_draws_its_charts(desk_page: Desk):
    desk_page.open("/sites")
    assert desk_page.page.locator("svg rect.bar").count() >= 30
    drawn = [float(h) for h in desk_page.page.locator("svg rect.bar").evaluate_all("bars => bars.map(b => b.getAttribute('height'))")]
    assert max(drawn) > 0  # the replay's days (its newest article's last 30 days) have articles
    assert desk_page.page.locator("table.runs tbody tr").count() >= len(SCOPES)
    box = desk_page.page.locator("figure.chart svg").first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50  # drawn, not a table of numbers
    desk_page.screenshot("sites")


def test_hostile_text_is_shown_as_text(desk_page: Desk):
    titles = search(desk_page, "Sumqayıt hostile")
    assert titles == [HOSTILE.title]  # the markup is there, as text
    desk_page.page.locator("a.headline").first.click()
    desk_page.page.wait_for_load_state()
    assert desk_page.page.title() == f"{HOSTILE.title} · newsmon desk"  # shown, and no script set it to `pwned`
    assert desk_page.page.locator("h1").inner_text() == HOSTILE.title
    assert desk_page.page.locator("a.source").count() == 0  # a javascript: URL is no link
    assert desk_page.page.locator("a[href^='javascript']").count() == 0
    assert desk_page.page.locator("div.body p").first.inner_text() == "<script>alert('body')</script>"
    desk_page.screenshot("hostile-article")


def test_add_a_watchlist_and_see_its_alert_arrive_after_a_crawl(desk_page: Desk, desk_store: str, tmp_path):
    desk_page.open("/watchlists")
    desk_page.page.fill("form.add-watchlist input[name=name]", "uzbek visit")
    desk_page.page.fill("form.add-watchlist input[name=query]", "Uzbek")
    desk_page.page.click("form.add-watchlist button")
    desk_page.page.wait_for_load_state()
    assert desk_page.page.url.endswith("/watchlists")
    assert "uzbek visit" in desk_page.page.locator("table.watchlists").inner_text()
    assert desk_page.page.locator("table.alerts").count() == 0  # what was stored before raises nothing
    # Azernews tells the story of the Uzbek minister's visit that APA and Oxu told: a crawl of it
    # stores a copy, and the watchlist hears of the story once.
    with ReplayServer(build_replay(["azernews"])) as server:
        (run,) = crawl_replay(server, ["azernews:en"], store=desk_store, environment=crawl_environment(tmp_path)).values()
    assert run.ran and run.stat("newsmon/watch/alerts") == 1, run.log[-3000:]
    desk_page.open("/watchlists")
    (row,) = desk_page.page.locator("table.alerts tbody tr").all()
    assert "uzbek visit" in row.inner_text() and "azernews" in row.inner_text()
    row.locator("a.story").click()
    desk_page.page.wait_for_load_state()
    assert "/story/" in desk_page.page.url and "Uzbek" in desk_page.page.content()
    desk_page.open("/watchlists")
    desk_page.screenshot("watchlists")
