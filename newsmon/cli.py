"""The `newsmon` console script: everything that is not `scrapy crawl`.

Each subcommand lives in newsmon/commands/<name>.py with `add_parser(subparsers)` and
`run(args) -> int` (the parser sets `run` as a default); this module only discovers and
assembles them, so adding a command is adding a module.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import newsmon.commands

DESCRIPTION = """\
newsmon: a news monitor for the South Caucasus (APA and APA-style sites).

Crawling is done with Scrapy:  scrapy crawl apa [-a editions=en,az] [-O items.jsonl]
This command does the rest: load offline documents, export and summarize the store,
replay spooled writes, show crawl runs and run the crawl scheduler.

The store is chosen by --store URI, else $NEWSMON_STORE, else sqlite:///data/newsmon.db
(sqlite:///relative/path, sqlite:////absolute/path, mongodb://host/db, mongodb+srv://...).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmon", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(newsmon.commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"newsmon.commands.{info.name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
