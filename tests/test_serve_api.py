"""The desk's JSON API and pages through the ASGI app (Starlette's TestClient), on both stores:
every endpoint, pagination, bad parameters (a 400 naming the parameter, never a 500), the
token gate, the security headers, and hostile crawled text shown as text."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from newsmon.desk import create_app
from newsmon.desk.security import SECURITY_HEADERS, TOKEN_COOKIE
from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.store import article_key
from test_store_contract import Backend, backend  # noqa: F401 (fixture)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>'
HOSTILE_BODY = "Əliyev <b>bold</b> <iframe src=javascript:alert(2)></iframe>\n\n<script>document.title='pwned'</script>"


def story_article(n: int, title: str, body: str, *, site: str, outlet: str, lang: str, minutes: int,
                  story_id: str = "s1", url: str | None = None, category: str = "Politics") -> Article:
    return Article(
        url=url if url is not None else f"https://{site}/news/{n}", site=site, outlet=outlet, lang=lang, title=title,
        body=body, published_at=NOW - timedelta(hours=3) + timedelta(minutes=minutes), category=category,
        content_hash=content_hash(title, body), story_id=story_id, story_match="" if minutes == 0 else "translation",
    )


CORPUS = [
    story_article(1, "Prezident İlham Əliyev nümayəndə heyətini qəbul edib", "Görüşdə neft hasilatı müzakirə olunub.",
                  site="apa.az", outlet="apa", lang="az", minutes=0),
    story_article(2, "President Ilham Aliyev received the delegation", "Oil production was discussed.",
                  site="en.apa.az", outlet="apa", lang="en", minutes=20),
    story_article(3, "Президент Ильхам Алиев принял делегацию", "Обсуждалась добыча нефти.",
                  site="report.az", outlet="report", lang="ru", minutes=135),
    story_article(4, "Neft hasilatı artıb", "Ölkədə neft hasilatı artıb.", site="report.az", outlet="report", lang="az",
                  minutes=60, story_id="s2", category="Economy"),
    story_article(5, HOSTILE_TITLE, HOSTILE_BODY, site="oxu.az", outlet="oxu", lang="az", minutes=90, story_id="s3",
                  url="javascript:alert(3)"),
]
RUN = {
    "spider": "apa", "scope": "apa:en", "started_at": (NOW - timedelta(hours=1)).isoformat(), "finish_reason": "finished",
    "duration_seconds": 12.5, "requests": 40, "items": {"seen": 30, "stored": 12, "duplicates": 1, "dropped": {"no_body": 2}},
    "pages": {"rejected": {"http_404": 3, "no_date": 1}},
    "monitors": [{"name": "Item count", "status": "PASS", "message": ""},
                 {"name": "Blocked site", "status": "FAIL", "message": "403 answers: 2"}],
}  # fmt: skip


@pytest.fixture
def filled(backend) -> Backend:
    with backend.opened() as store:
        store.upsert_many(CORPUS)
        store.upsert_many([replace(CORPUS[3], body="Ölkədə neft hasilatı azalıb.", content_hash=content_hash(CORPUS[3].title, "Ölkədə neft hasilatı azalıb."))])
        store.record_run(RUN)
        store.record_run({**RUN, "scope": "apa:az", "monitors": []})
    return backend


@pytest.fixture
def client(filled) -> Iterator[TestClient]:
    with TestClient(create_app(filled._connect)) as test_client:
        yield test_client


def keys(items) -> list[str]:
    return [item["key"] for item in items]


# -- the API -------------------------------------------------------------------------------------
def test_articles_newest_first_with_both_clocks_and_story_outlets(client):
    body = client.get("/api/articles").json()
    assert keys(body["items"]) == [article_key(a) for a in sorted(CORPUS, key=lambda a: a.published_at, reverse=True)]
    first = body["items"][-1]
    assert first["outlet"] == "apa" and first["edition"] == "apa.az" and first["lang"] == "az"
    assert first["published_at"].endswith("+00:00") and first["published_at_baku"].endswith("+04:00")
    assert first["story_outlets"] == 2 and body["next"] is None


def test_articles_are_paged_with_a_next_link(client):
    first = client.get("/api/articles?limit=2&lang=az").json()
    assert len(first["items"]) == 2 and first["next"] == "/api/articles?limit=2&lang=az&offset=2"
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 1 and second["next"] is None
    assert not set(keys(first["items"])) & set(keys(second["items"]))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("outlet=report", [3, 4]),
        ("category=Economy", [4]),
        ("lang=ru", [3]),
        ("outlet=&lang=&category=", [3, 5, 4, 2, 1]),  # a form's blank fields filter nothing
    ],
)
def test_article_filters(client, query, expected):
    found = keys(client.get(f"/api/articles?{query}").json()["items"])
    assert found == [article_key(CORPUS[n - 1]) for n in expected]


def test_article_time_range(client):
    since = (NOW - timedelta(hours=2, minutes=30)).isoformat()
    until = (NOW - timedelta(hours=1, minutes=30)).isoformat()
    found = keys(client.get("/api/articles", params={"since": since, "until": until}).json()["items"])
    assert found == [article_key(CORPUS[3])]
    today = NOW.date().isoformat()
    assert len(client.get(f"/api/articles?since={today}&until={today}").json()["items"]) == sum(
        1 for a in CORPUS if a.published_at.date() == NOW.date()
    )  # a bare `until` day is included


def test_search_finds_azerbaijani_with_and_without_its_letters_grouped_by_story(client):
    with_letters = client.get("/api/search", params={"q": "Əliyev"}).json()
    without = client.get("/api/search", params={"q": "Aliyev"}).json()
    found = [keys(group["items"]) for group in with_letters["groups"]]
    assert found == [keys(group["items"]) for group in without["groups"]]
    # The hostile article (its body says Əliyev) and the story of the two copies that say it.
    assert found == [["javascript:alert(3)"], [article_key(CORPUS[1]), article_key(CORPUS[0])]]
    story = with_letters["groups"][1]
    assert story["story_id"] == "s1" and story["story_outlets"] == 2
    marked = [part["text"] for part in story["items"][1]["title_segments"] if part["hit"]]
    assert marked == ["Əliyev"]


def test_search_phrases_filters_and_pages(client):
    assert [g["story_id"] for g in client.get("/api/search", params={"q": '"neft hasilatı"'}).json()["groups"]] == ["s2", "s1"]
    assert client.get("/api/search", params={"q": "neft", "outlet": "report", "lang": "az"}).json()["groups"][0]["story_id"] == "s2"
    page = client.get("/api/search", params={"q": "neft", "limit": 1}).json()
    assert page["next"] == "/api/search?q=neft&limit=1&offset=1"
    assert client.get(page["next"]).json()["groups"][0]["story_id"] == "s1"
    assert client.get("/api/search", params={"q": "?!"}).json()["groups"] == []


def test_story_in_publication_order_with_who_was_first(client):
    story = client.get("/api/stories/s1").json()
    assert keys(story["articles"]) == [article_key(CORPUS[n]) for n in (0, 1, 2)]
    assert story["first"]["outlet"] == "apa" and story["outlets"] == ["apa", "report"]
    assert story["followers"] == [{"outlet": "report", "lang": "ru", "after_first": "+2 h 15 min", "after_first_seconds": 8100.0}]
    assert [a["after_first"] for a in story["articles"]] == ["first", "+20 min", "+2 h 15 min"]


def test_article_with_its_revisions_and_story(client):
    article = client.get("/api/article", params={"key": article_key(CORPUS[3])}).json()
    assert article["body"] == "Ölkədə neft hasilatı azalıb."
    assert article["revisions"][0]["body"] == [
        {"op": "-", "text": "Ölkədə neft hasilatı artıb."}, {"op": "+", "text": "Ölkədə neft hasilatı azalıb."},
    ]  # fmt: skip
    assert article["link"] == article["url"]
    with_story = client.get("/api/article", params={"key": article_key(CORPUS[0])}).json()
    assert keys(with_story["story"]) == [article_key(CORPUS[1]), article_key(CORPUS[2])]
    assert client.get("/api/article", params={"key": "javascript:alert(3)"}).json()["link"] is None


def test_runs(client):
    runs = client.get("/api/runs", params={"scope": "apa:en"}).json()["items"]
    assert len(runs) == 1 and runs[0]["rejected"] == {"http_404": 3, "no_date": 1} and runs[0]["monitors_failed"] == 1
    both = client.get("/api/runs?spider=apa&limit=1").json()
    assert len(both["items"]) == 1 and both["next"] == "/api/runs?spider=apa&limit=1&offset=1"
    assert len(client.get(both["next"]).json()["items"]) == 1


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/api/articles?limit=0", "limit"),
        ("/api/articles?limit=1000", "limit"),
        ("/api/articles?limit=ten", "limit"),
        ("/api/articles?offset=-1", "offset"),
        ("/api/articles?offset=99999999", "offset"),
        ("/api/articles?since=yesterday", "since"),
        ("/api/articles?until=2026-13-45", "until"),
        ("/api/articles?since=2026-11-02&until=2026-11-01", "until"),
        ("/api/articles?lang=English", "lang"),
        ("/api/articles?outlet=<script>", "outlet"),
        ("/api/search", "q"),
        ("/api/search?q=", "q"),
        ("/api/search?q=" + "x" * 600, "q"),
        ("/api/search?q=neft&since=soon", "since"),
        ("/api/search?q=neft&limit=-5", "limit"),
        ("/api/article", "key"),
        ("/api/runs?limit=abc", "limit"),
        ("/api/runs?scope=a%20b", "scope"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, path, parameter):
    response = client.get(path)
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith(f"{parameter}: ")


@pytest.mark.parametrize("path", ["/api/stories/none", "/api/article?key=https://nowhere.example/1", "/api/nothing"])
def test_unknown_things_are_a_404_with_a_message(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]


def test_openapi_documents_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/articles", "/api/article", "/api/search", "/api/stories/{story_id}", "/api/runs"} <= set(schema["paths"])
    assert not any(not path.startswith("/api/") for path in schema["paths"])  # the pages are not API
    parameters = {p["name"] for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert parameters == {"q", "outlet", "lang", "since", "until", "limit", "offset"}


# -- pages ---------------------------------------------------------------------------------------
PAGES = ["/", "/search?q=Əliyev", "/story/s1", "/sites", f"/article?key={article_key(CORPUS[3])}", "/story/s3",
         "/article?key=javascript:alert(3)", "/search?q=script"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_with_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "<script" not in response.text and " style=" not in response.text  # nothing the CSP would block


class Tags(HTMLParser):
    """The tags of a page with their attributes, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


@pytest.mark.parametrize("path", ["/", "/search?q=script", "/story/s3", "/article?key=javascript:alert(3)"])
def test_hostile_text_is_escaped_and_no_javascript_url_is_a_link(client, path):
    html = client.get(path).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    tags = Tags(html).tags
    assert not {tag for tag, _ in tags} & {"script", "img", "iframe"}
    assert not [attrs for _, attrs in tags if any(name.startswith("on") for name in attrs)]
    links = [value for _, attrs in tags for name, value in attrs.items() if name in ("href", "src", "action")]
    assert links and all(value.startswith(("/", "http://", "https://")) for value in links), links


def test_page_errors_are_pages_with_one_message(client):
    response = client.get("/?limit=0")
    assert response.status_code == 400 and "limit: " in response.text and "Traceback" not in response.text
    assert client.get("/story/none").status_code == 404


def test_search_page_marks_hits_as_text(client):
    html = client.get("/search", params={"q": "script"}).text
    assert "<mark>script</mark>" in html and "&lt;<mark>script</mark>&gt;" in html


def test_sites_page_draws_a_chart_and_lists_runs(client):
    html = client.get("/sites").text
    assert html.count("<svg") >= 7 and 'class="bar"' in html
    assert "http_404 3" in html and "FAIL (1)" in html and "Blocked site: 403 answers: 2" in html


def test_static_stylesheet_is_served_with_nosniff(client):
    response = client.get("/static/desk.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- the token gate ------------------------------------------------------------------------------
@pytest.fixture
def gated(filled) -> Iterator[TestClient]:
    with TestClient(create_app(filled._connect, token="s3cret-token")) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", "/api/articles", "/openapi.json", "/static/desk.css", "/sites"])
def test_with_a_token_every_request_needs_it(gated, path):
    refused = gated.get(path)
    assert refused.status_code == 401 and refused.headers["Content-Security-Policy"]
    assert gated.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert gated.get(path, headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_api_refusal_is_json(gated):
    assert "token is required" in gated.get("/api/articles").json()["error"]


def test_a_token_in_the_address_once_sets_a_cookie_and_leaves_the_address(gated):
    assert gated.get("/?token=wrong", follow_redirects=False).status_code == 401
    response = gated.get("/search?q=neft&token=s3cret-token", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/search?q=neft"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert gated.get("/search?q=neft").status_code == 200  # the client keeps the cookie
