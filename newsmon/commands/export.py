"""newsmon export: stored articles as JSON lines or CSV, streamed."""
from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from newsmon.commands import add_store_argument, open_store_or_exit, parse_day
from newsmon.exporters import ArticleCsvExporter, ArticleJsonLinesExporter

EXPORTERS = {"jsonl": ArticleJsonLinesExporter, "csv": ArticleCsvExporter}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write stored articles as JSON lines or CSV",
        description=(
            "Write stored articles, newest first, with exactly the schema's fields"
            " (newsmon/schema/article.schema.json); times are ISO 8601 UTC with offset."
            " JSON lines can be loaded back with `newsmon load` (a lossless round trip)."
        ),
    )
    add_store_argument(parser)
    parser.add_argument("--format", choices=sorted(EXPORTERS), default="jsonl", help="output format (default: jsonl)")
    parser.add_argument("--since", type=parse_day, metavar="DATE", help="published at or after DATE (YYYY-MM-DD, UTC)")
    parser.add_argument("--until", type=parse_day, metavar="DATE", help="published before DATE (YYYY-MM-DD, UTC)")
    parser.add_argument("--lang", metavar="L", help="only this language (az, en, ru, ...)")
    parser.add_argument("--site", metavar="S", help="only this site (apa.az, en.apa.az, ...)")
    parser.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = open_store_or_exit(args, must_exist=True)
    target = open(args.output, "wb") if args.output else nullcontext(sys.stdout.buffer)
    written = 0
    with store, target as stream:
        exporter = EXPORTERS[args.format](stream)
        exporter.start_exporting()
        for article in store.query(since=args.since, until=args.until, lang=args.lang, site=args.site):
            exporter.export_item(article)
            written += 1
        exporter.finish_exporting()
    print(f"exported {written} articles", file=sys.stderr)
    return 0
