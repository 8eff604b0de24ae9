"""newsmon replay-site: serve the local replay of every outlet in the foreground, for manual crawls."""
from __future__ import annotations

import argparse
import threading

from newsmon.replay import ReplayServer, build_replay, synthetic_replay


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay-site",
        help="serve a local replay of every outlet's editions on 127.0.0.1 until interrupted",
        description=(
            "Serve the replay used by the tests and the demo: each host (apa.az, en.apa.az, report.az, ...)"
            " on its own 127.0.0.1 port, editions under a path of a host (report.az/en) on that port. Crawl"
            " one with `scrapy crawl apa -a editions=en -a base_url=http://127.0.0.1:PORT`. Ctrl-C stops."
        ),
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="N",
        help="serve N generated English APA articles instead of the replay of every outlet (benchmarks)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    site = synthetic_replay(args.synthetic) if args.synthetic else build_replay()
    with ReplayServer(site) as server:
        for scope in site.editions:
            outlet, lang = scope.split(":")
            edition = site.edition(scope)
            base_url = server.base_url(edition.host)
            print(
                f"{edition.host + edition.prefix:<16} {base_url}   "
                f"scrapy crawl {outlet} -a editions={lang} -a base_url={base_url}"
            )
        print("serving; Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print()
    return 0
