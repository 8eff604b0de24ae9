"""Serve a ReplaySite on 127.0.0.1: one threaded HTTP server per edition host, each on a free port.

    with ReplayServer(build_replay()) as server:
        server.base_url("en.apa.az")    # http://127.0.0.1:PORT, for -a base_url=...
        server.hits                     # every request served: host, target, status, arrival time

Each edition gets its own port, as each has its own host on the live site (its own robots.txt,
`/all-news`, `/rss`). HTTP/1.1 keep-alive, so a crawl reuses its connections; no logging.
A stalled page (Page.stalled) holds its request until its time is up or the server stops,
whichever comes first, so that stopping never waits for a stall.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from newsmon.replay.site import Page, ReplaySite


@dataclass(frozen=True)
class Hit:
    host: str
    target: str  # path and query as requested
    status: int  # NO_ANSWER for a stalled page
    at: float = 0.0  # time.monotonic() when the request arrived

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class ReplayServer:
    """`answer_delay`: seconds every answer takes (a site's latency), so that requests overlap
    and `max_in_flight` (per edition host, the most requests it was answering at once) means
    something."""

    def __init__(self, site: ReplaySite, *, host: str = "127.0.0.1", answer_delay: float = 0.0) -> None:
        self.site = site
        self.hits: list[Hit] = []
        self.answer_delay = answer_delay
        self.max_in_flight: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._failures_left: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._servers = {name: self._make_server(name, host) for name in site.hosts}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()  # set: stalled requests end

    def base_url(self, edition_host: str) -> str:
        address, port = self._servers[edition_host].server_address[:2]
        return f"http://{address}:{port}"

    def start(self) -> "ReplayServer":
        for name, server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, name=f"replay-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def respond(self, edition_host: str, target: str, user_agent: str = "") -> Page:
        """The page for one request, and its record in `hits` (a flaky page fails first)."""
        page = self.site.answer(edition_host, target, user_agent)
        if page.fail_first:
            key = (edition_host, target.split("?", 1)[0])
            with self._lock:
                failures = self._failures_left.setdefault(key, page.fail_first)
                if failures:
                    self._failures_left[key] -= 1
                    page = Page(503, b"Service Unavailable", "text/plain; charset=utf-8")
        self.hits.append(Hit(edition_host, target, page.status, time.monotonic()))  # list.append is atomic
        return page

    @contextmanager
    def answering(self, edition_host: str) -> Iterator[None]:
        with self._lock:
            self._in_flight[edition_host] += 1
            self.max_in_flight[edition_host] = max(self.max_in_flight[edition_host], self._in_flight[edition_host])
        try:
            if self.answer_delay:
                self.hold(self.answer_delay)
        finally:
            # Counted until the answer starts to leave: a client that has read it may send its
            # next request before this thread runs again, which is no overlap at the client.
            with self._lock:
                self._in_flight[edition_host] -= 1
        yield

    def hold(self, seconds: float) -> None:
        """Keep a stalled request waiting `seconds`, or until the server stops."""
        self._stopping.wait(seconds)

    def _make_server(self, edition_host: str, address: str) -> ThreadingHTTPServer:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer(with_body=True)

            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def _answer(self, *, with_body: bool) -> None:
                with replay.answering(edition_host):
                    self._send(with_body=with_body)

            def _send(self, *, with_body: bool) -> None:
                page = replay.respond(edition_host, self.path, self.headers.get("User-Agent", ""))
                if page.stall:
                    replay.hold(page.stall)
                    self.close_connection = True  # hang up without a word
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers:
                    self.send_header(name, value)
                self.end_headers()
                if with_body:
                    self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: tests and the demo read `hits` instead

        server = _ReplayHTTPServer((address, 0), Handler)
        server.daemon_threads = True
        return server


class _ReplayHTTPServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crawler opening 16 connections at once on a
    # busy machine overflows it, and each dropped SYN costs a 1 s retransmit, a stall no real
    # site's server has.
    request_queue_size = 128
