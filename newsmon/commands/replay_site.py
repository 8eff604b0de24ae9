"""newsmon replay-site: serve the local replay of APA in the foreground, for manual crawls."""
from __future__ import annotations

import argparse
import threading

from newsmon.replay import ReplayServer, build_replay, synthetic_replay
from newsmon.sites.apa import EDITIONS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay-site",
        help="serve a local replay of APA's editions on 127.0.0.1 until interrupted",
        description=(
            "Serve the replay used by the tests and the demo: each edition (apa.az, en.apa.az, ru.apa.az)"
            " on its own 127.0.0.1 port. Crawl one with"
            " `scrapy crawl apa -a editions=en -a base_url=http://127.0.0.1:PORT`. Ctrl-C stops."
        ),
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="N",
        help="serve N generated English articles instead of the hand-written replay (benchmarks)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    site = synthetic_replay(args.synthetic) if args.synthetic else build_replay()
    with ReplayServer(site) as server:
        for lang, edition in EDITIONS.items():
            if edition.host in site.hosts:
                base_url = server.base_url(edition.host)
                print(f"{edition.host:<10} {base_url}   scrapy crawl apa -a editions={lang} -a base_url={base_url}")
        print("serving; Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print()
    return 0
