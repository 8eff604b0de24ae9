"""newsmon serve: the analyst's desk, web pages and a JSON API over the store (newsmon.desk)."""
from __future__ import annotations

import argparse
import os
import sys

from newsmon.commands import add_store_argument, open_store_or_exit
from newsmon.desk.security import TOKEN_ENV_VAR, is_loopback

EXIT_USAGE = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the analyst's desk: Now, Search, Story, Sites and Article pages and a JSON API",
        description=(
            "Serve web pages and a JSON API (/api/..., described at /openapi.json) over the store, read only."
            " Loopback addresses only, unless $" + TOKEN_ENV_VAR + " is set; with it set, every request must"
            " carry the token: Authorization: Bearer TOKEN, or open any page once with ?token=TOKEN (a cookie keeps it)."
        ),
    )
    add_store_argument(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    token = os.environ.get(TOKEN_ENV_VAR) or None
    if not is_loopback(args.host) and token is None:
        print(f"newsmon serve: refusing to listen on {args.host} without a token: set ${TOKEN_ENV_VAR}"
              " (every request must then carry it), or use a loopback address such as 127.0.0.1", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    if not 0 < args.port < 65536:
        print(f"newsmon serve: --port {args.port} is not a port (1-65535)", file=sys.stderr)
        return EXIT_USAGE
    # Opened here, so that a missing store is one line before anything listens; the server runs
    # its event loop in this thread, which the SQLite store's connection is bound to.
    store = open_store_or_exit(args, must_exist=True)

    import uvicorn

    from newsmon.desk import create_app

    app = create_app(lambda: store, token=token)
    print(f"newsmon desk on http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run()
    except SystemExit as exc:  # uvicorn's way of saying it could not bind
        print(f"newsmon serve: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return int(exc.code or 1)
    return 0 if server.started else 1
