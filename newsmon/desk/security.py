"""The desk's security rules: where it may listen, who may ask, what every answer carries.

- Loopback addresses need nothing; any other address needs a token (NEWSMON_SERVE_TOKEN).
- With a token set, every request must carry it, whatever the address: `Authorization: Bearer
  TOKEN`, or the cookie a browser gets by opening any page once with `?token=TOKEN` (it is then
  sent back without the token in the address, so the token stays out of history and logs).
- Every answer has a strict Content-Security-Policy (nothing inline, nothing from elsewhere: the
  pages have no script, their stylesheet is a static file), nosniff, no referrer, no framing.
- Crawled text is data: templates autoescape, and only http(s) URLs become links (`safe_url`).
"""
from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlencode, urlsplit

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

TOKEN_ENV_VAR = "NEWSMON_SERVE_TOKEN"
TOKEN_COOKIE = "newsmon_desk_token"
TOKEN_PARAMETER = "token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def is_loopback(host: str) -> bool:
    """Whether binding to `host` exposes the desk to this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


def safe_url(url: object) -> str | None:
    """`url` when it may become a link (http or https with a host), else None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response


class TokenGate(BaseHTTPMiddleware):
    """Lets through only requests that carry the token (see the module docstring)."""

    def __init__(self, app, token: str) -> None:  # noqa: ANN001 (an ASGI app)
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        given = request.query_params.get(TOKEN_PARAMETER)
        if given is not None:
            if not self._matches(given):
                return _refused(request)
            # Once, to set the cookie: the address the browser keeps has no token in it.
            response = RedirectResponse(_without_token(request), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return response
        if self._matches(_bearer(request) or request.cookies.get(TOKEN_COOKIE, "")):
            return await call_next(request)
        return _refused(request)

    def _matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _without_token(request: Request) -> str:
    """The request's path and query, less the token: where the browser goes once it has the cookie."""
    kept = [(name, value) for name, value in request.query_params.multi_items() if name != TOKEN_PARAMETER]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def _refused(request: Request) -> Response:
    message = f"a token is required: send Authorization: Bearer TOKEN, or open the page once with ?{TOKEN_PARAMETER}=TOKEN"
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message}, status_code=401)
    return PlainTextResponse(message, status_code=401)
