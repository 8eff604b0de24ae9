"""Watchlists and alerts on the desk: the page and the API, on both stores. Writes need a desk
started with a token; the alerts are raised by the chain as in a crawl (newsmon.chain WatchStep)."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from newsmon.chain import Chain
from newsmon.desk import create_app
from test_serve_api import CORPUS, HOSTILE_TITLE
from test_store_contract import Backend, backend  # noqa: F401 (fixture)

TOKEN = "watch-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(backend: Backend) -> Iterator[TestClient]:
    with TestClient(create_app(backend._connect, token=TOKEN), headers=AUTH) as test_client:
        yield test_client


def store_through_the_chain(backend: Backend, articles) -> None:
    with backend.opened() as store:
        chain = Chain({}, store)
        for article in articles:
            chain.process(article)
        chain.close()


def test_a_desk_without_a_token_shows_watchlists_but_changes_nothing(backend):
    with TestClient(create_app(backend._connect)) as client:
        assert client.get("/watchlists").status_code == 200
        refused = client.post("/api/watchlists", json={"name": "oil", "query": "neft"})
        assert refused.status_code == 403 and "NEWSMON_SERVE_TOKEN" in refused.json()["error"]
        assert client.post("/watchlists", content="name=oil&query=neft", headers=FORM).status_code == 403
        assert client.get("/api/watchlists").json() == {"items": []}
        assert "newsmon watch add" in client.get("/watchlists").text


def test_add_list_and_remove_through_the_api(client):
    added = client.post("/api/watchlists", json={"name": "oil", "query": 'neft "neft hasilatı"', "langs": ["az"]})
    assert added.status_code == 201
    watchlist = added.json()
    assert watchlist["terms"] == ["neft", "neft hasilatı"] and watchlist["langs"] == ["az"]
    assert [w["name"] for w in client.get("/api/watchlists").json()["items"]] == ["oil"]
    assert client.post("/api/watchlists", json={"name": "oil", "query": "x"}).status_code == 409
    assert client.delete(f"/api/watchlists/{watchlist['id']}").status_code == 204
    assert client.delete(f"/api/watchlists/{watchlist['id']}").status_code == 404
    assert client.get("/api/watchlists").json() == {"items": []}


@pytest.mark.parametrize("body, parameter", [
    ({"query": "neft"}, "name"), ({"name": "n"}, "query"), ({"name": "n", "query": "?!"}, "query"),
    ({"name": " ", "query": "neft"}, "name"), ({"name": "n", "query": "neft", "outlets": ["nowhere"]}, "outlets"),
    ({"name": "n", "query": "neft", "langs": [1]}, "langs"),
])  # fmt: skip
def test_a_bad_watchlist_is_a_400_naming_the_field(client, body, parameter):
    response = client.post("/api/watchlists", json=body)
    assert response.status_code == 400 and response.json()["error"].startswith(f"{parameter}:")


def test_the_page_form_adds_and_removes(client):
    added = client.post("/watchlists", content="name=metro&query=metro+stansiya&outlets=apa,oxu", headers=FORM,
                        follow_redirects=False)  # fmt: skip
    assert added.status_code == 303 and added.headers["location"] == "/watchlists"
    (watchlist,) = client.get("/api/watchlists").json()["items"]
    assert watchlist["outlets"] == ["apa", "oxu"]
    page = client.get("/watchlists").text
    assert "metro stansiya outlets=apa,oxu" in page
    bad = client.post("/watchlists", content="name=x&query=%3F%21", headers=FORM)
    assert bad.status_code == 400 and "query: term" in bad.text
    removed = client.post(f"/watchlists/{watchlist['id']}/remove", follow_redirects=False)
    assert removed.status_code == 303 and client.get("/api/watchlists").json() == {"items": []}


class Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def test_one_alert_per_story_shown_on_the_page_and_in_the_api(client, backend):
    client.post("/api/watchlists", json={"name": "president", "query": "Əliyev"})
    hostile = client.post("/api/watchlists", json={"name": "hostile", "query": "script"}).json()
    # Three copies of one story (az, en, ru): the chain stores and matches them.
    store_through_the_chain(backend, CORPUS[:3])
    with backend.opened() as store:  # what an older store may hold: markup and a javascript: URL
        store.record_alert(hostile["id"], CORPUS[4])
    alerts = client.get("/api/alerts").json()["items"]
    president = [a for a in alerts if a["watchlist"] == "president"]
    assert len(president) == 1  # one story, one alert; the copies grew it
    assert president[0]["story_id"] == "s1" and president[0]["first"]["title"] == CORPUS[0].title
    page = client.get("/watchlists")
    assert page.status_code == 200 and "<script" not in page.text
    assert HOSTILE_TITLE not in page.text  # shown escaped, as text
    assert not any(href.startswith("javascript:") for href in Links(page.text).hrefs)
    assert "/story/s1" in Links(page.text).hrefs
    assert client.get("/api/alerts", params={"limit": 0}).status_code == 400
