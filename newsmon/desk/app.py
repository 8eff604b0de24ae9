"""The desk's FastAPI application: the pages and the JSON API, over one store.

Every route is `async` and the store is opened when the application starts, in the event loop's
thread: the SQLite store's connection belongs to the thread that opened it, and one thread
serves every request. The views are quick reads (bench/bench_desk.py), so none blocks for long.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from newsmon.desk import views
from newsmon.watch import describe
from newsmon.desk.params import MAX_LIMIT, BadParameter, Filters, Page, filters, page, search_filters
from newsmon.desk.security import TOKEN_ENV_VAR, SecurityHeaders, TokenGate
from newsmon.sites import REGISTRY
from newsmon.store import Store, StoreError
from newsmon.store.base import WatchlistExists
from newsmon.store.base import redact_text

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
LANGS = ("az", "en", "ru")
API_DESCRIPTION = """\
The articles, searches, stories and crawl runs of a newsmon store, as JSON.

Lists are paged: `limit` items from `offset`; `next` is the address of the next page, null on
the last. A bad parameter is a 400 with `{"error": "<parameter>: <what is wrong>"}`; an unknown
article or story a 404 in the same form. With NEWSMON_SERVE_TOKEN set, every request needs
`Authorization: Bearer <token>` (else 401).
"""


def create_app(open_store: Callable[[], Store], *, token: str | None = None) -> FastAPI:
    """The desk over the store `open_store` opens when the app starts (closed when it stops);
    with a `token`, every request must carry it (newsmon.desk.security)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store()
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(title="newsmon desk", description=API_DESCRIPTION, version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # fmt: skip  (their pages load scripts from elsewhere)
    app.state.token = token
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if token:
        app.add_middleware(TokenGate, token=token)
    app.add_middleware(SecurityHeaders)  # added last, so it runs outermost: refusals get the headers too
    templates = _templates()
    _add_error_handlers(app, templates)
    _add_pages(app, templates)
    _add_api(app)
    return app


def get_store(request: Request) -> Store:
    return request.app.state.store


def writable_store(request: Request) -> Store:
    """The store, for a request that changes it: only on a desk started with a token (which the
    token gate has then checked), whatever the address; a desk without one is read-only."""
    if not request.app.state.token:
        raise HTTPException(403, f"this desk is read-only: start newsmon serve with {TOKEN_ENV_VAR} set to manage"
                                 " watchlists here, or use newsmon watch add|remove")  # fmt: skip
    return request.app.state.store


async def form_fields(request: Request) -> dict[str, str]:
    """An HTML form's fields (application/x-www-form-urlencoded), the last value of each."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {name: values[-1] for name, values in parse_qs(body).items()}


def _templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.filters.update(utc=_clock("%Y-%m-%d %H:%M UTC"), baku=_clock("%H:%M Baku"))
    return Jinja2Templates(env=environment)


def _clock(pattern: str) -> Callable[[str | None], str]:
    def format_time(value: str | None) -> str:
        parsed = datetime.fromisoformat(value) if value else None
        return parsed.strftime(pattern) if parsed else "-"

    return format_time


def next_link(request: Request, page: Page, more: bool) -> str | None:
    """The address of the next page (path and query), None on the last page."""
    if not more:
        return None
    query = [(name, value) for name, value in request.query_params.multi_items() if name != "offset"]
    return f"{request.url.path}?{urlencode([*query, ('offset', page.offset + page.limit)])}"


# -- errors ---------------------------------------------------------------------------------------
def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    def error(request: Request, status: int, message: str) -> Response:
        if _is_api(request):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        messages = [f"{problem['loc'][-1]}: {problem['msg']}" for problem in exc.errors()]
        return error(request, 400, "; ".join(messages))

    @app.exception_handler(BadParameter)
    async def bad_parameter(request: Request, exc: BadParameter) -> Response:
        return error(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        logger.error("store error answering %s: %s", request.url.path, redact_text(str(exc)))
        return error(request, 503, "the store cannot answer now; try again shortly")


def _not_found(what: str) -> HTTPException:
    return HTTPException(404, f"no {what}")


# -- pages ----------------------------------------------------------------------------------------
def _add_pages(app: FastAPI, templates: Jinja2Templates) -> None:
    def render(request: Request, name: str, **context: Any) -> Response:
        context.update(outlets=list(REGISTRY), langs=LANGS, params=request.query_params)
        return templates.TemplateResponse(request, name, context)

    @app.get("/", include_in_schema=False)
    async def now(request: Request, f: Filters = Depends(filters), p: Page = Depends(page), store: Store = Depends(get_store)):
        listing = views.now_view(store, f, p)
        return render(request, "now.html", listing=listing, next=next_link(request, p, listing.more))

    @app.get("/search", include_in_schema=False)
    async def search(request: Request, q: str = Query("", max_length=500), f: Filters = Depends(search_filters),
                     p: Page = Depends(page), store: Store = Depends(get_store)):  # fmt: skip
        result = views.search_view(store, q, f, p) if q.strip() else None
        return render(request, "search.html", q=q, result=result, next=next_link(request, p, bool(result and result["more"])))

    @app.get("/story/{story_id}", include_in_schema=False)
    async def story(request: Request, story_id: str, store: Store = Depends(get_store)):
        view = views.story_view(store, story_id)
        if view is None:
            raise _not_found(f"story {story_id}")
        return render(request, "story.html", story=view)

    @app.get("/article", include_in_schema=False)
    async def article(request: Request, key: str = Query(..., min_length=1, max_length=2000), store: Store = Depends(get_store)):
        view = views.article_view(store, key)
        if view is None:
            raise _not_found("article with this key")
        return render(request, "article.html", article=view)

    @app.get("/sites", include_in_schema=False)
    async def sites(request: Request, store: Store = Depends(get_store)):
        return render(request, "sites.html", sites=views.sites_view(store))

    def watchlists_page(request: Request, store: Store, error: str = "", status: int = 200) -> Response:
        response = render(request, "watchlists.html", desk=views.watchlists_view(store), error=error,
                          writable=bool(request.app.state.token))  # fmt: skip
        response.status_code = status
        return response

    @app.get("/watchlists", include_in_schema=False)
    async def watchlists(request: Request, store: Store = Depends(get_store)):
        return watchlists_page(request, store)

    @app.post("/watchlists", include_in_schema=False)
    async def add_watchlist(request: Request, store: Store = Depends(writable_store)):
        try:
            store.add_watchlist(views.new_watchlist(await form_fields(request)))
        except BadParameter as exc:
            return watchlists_page(request, store, str(exc), 400)
        except WatchlistExists as exc:
            return watchlists_page(request, store, str(exc), 409)
        return RedirectResponse("/watchlists", status_code=303)

    @app.post("/watchlists/{watchlist_id}/remove", include_in_schema=False)
    async def remove_watchlist(request: Request, watchlist_id: str, store: Store = Depends(writable_store)):
        if not store.remove_watchlist(watchlist_id):
            raise _not_found(f"watchlist {watchlist_id}")
        return RedirectResponse("/watchlists", status_code=303)


# -- API ------------------------------------------------------------------------------------------
def _page_json(request: Request, p: Page, listing: views.Listing) -> dict[str, Any]:
    return {"items": listing.items, "limit": p.limit, "offset": p.offset, "next": next_link(request, p, listing.more)}


def _add_api(app: FastAPI) -> None:
    @app.get("/api/articles", summary="Newest articles across outlets", tags=["articles"])
    async def articles(request: Request, f: Filters = Depends(filters), p: Page = Depends(page),
                       store: Store = Depends(get_store)) -> dict[str, Any]:  # fmt: skip
        """Newest first, each with its outlet, edition, language, UTC and Baku time, and how many
        outlets carry its story."""
        return _page_json(request, p, views.now_view(store, f, p))

    @app.get("/api/article", summary="One article, its revisions and its story", tags=["articles"])
    async def article(key: str = Query(..., min_length=1, max_length=2000, description="the article's key: its canonical URL"),
                      store: Store = Depends(get_store)) -> dict[str, Any]:  # fmt: skip
        view = views.article_view(store, key)
        if view is None:
            raise _not_found("article with this key")
        return view

    @app.get("/api/search", summary="Full-text search, grouped by story", tags=["search"])
    async def search(request: Request,
                     q: str = Query(..., min_length=1, max_length=500,
                                    description='words (all must occur) and "phrases"; Azerbaijani letters and case folded'),
                     f: Filters = Depends(search_filters), p: Page = Depends(page), store: Store = Depends(get_store)) -> dict[str, Any]:  # fmt: skip
        """Hits newest first, grouped by story; titles and body snippets as segments, `hit` marking the query's words."""
        result = views.search_view(store, q, f, p)
        return {**result, "limit": p.limit, "offset": p.offset, "next": next_link(request, p, result.pop("more"))}

    @app.get("/api/stories/{story_id}", summary="Every copy of one story", tags=["stories"])
    async def story(story_id: str, store: Store = Depends(get_store)) -> dict[str, Any]:
        """Copies across outlets and languages in order of publication; who was first and when the others followed."""
        view = views.story_view(store, story_id)
        if view is None:
            raise _not_found(f"story {story_id}")
        return view

    @app.get("/api/runs", summary="Recent crawl runs", tags=["runs"])
    async def runs(request: Request,
                   spider: str | None = Query(None, max_length=40, pattern=r"^[a-z0-9_-]*$", description="outlet: apa, report, ..."),
                   scope: str | None = Query(None, max_length=60, pattern=r"^[a-z0-9_:-]*$", description="edition: apa:en"),
                   p: Page = Depends(page), store: Store = Depends(get_store)) -> dict[str, Any]:  # fmt: skip
        """Newest first: figures, pages rejected by reason, monitor results."""
        return _page_json(request, p, views.runs_view(store, spider or None, scope or None, p))

    @app.get("/api/watchlists", summary="Saved queries that raise alerts", tags=["watchlists"])
    async def watchlists(store: Store = Depends(get_store)) -> dict[str, Any]:
        return {"items": views.watchlists_view(store, alerts_limit=0)["watchlists"]}

    @app.post("/api/watchlists", summary="Add a watchlist (needs the token)", tags=["watchlists"], status_code=201)
    async def add_watchlist(body: dict[str, Any] = Body(..., examples=[{"name": "metro", "query": 'metro "new station"',
                            "outlets": ["apa"], "langs": ["az", "en"]}]), store: Store = Depends(writable_store)) -> dict[str, Any]:  # fmt: skip
        """`name`, `query` (words and "phrases", all required), optional `outlets`, `langs`, `categories`."""
        try:
            saved = store.add_watchlist(views.new_watchlist(body))
        except WatchlistExists as exc:
            raise HTTPException(409, str(exc)) from None
        return {**saved.to_record(), "query": describe(saved)}

    @app.delete("/api/watchlists/{watchlist_id}", summary="Remove a watchlist and its alerts (needs the token)",
                tags=["watchlists"], status_code=204)  # fmt: skip
    async def remove_watchlist(watchlist_id: str, store: Store = Depends(writable_store)) -> Response:
        if not store.remove_watchlist(watchlist_id):
            raise _not_found(f"watchlist {watchlist_id}")
        return Response(status_code=204)

    @app.get("/api/alerts", summary="Alerts, newest first: one a story", tags=["watchlists"])
    async def alerts(limit: int = Query(50, ge=1, le=MAX_LIMIT), store: Store = Depends(get_store)) -> dict[str, Any]:
        """Each with the article that raised it, how many copies matched since, and which outlets carried them."""
        return {"items": views.watchlists_view(store, alerts_limit=limit)["alerts"]}
