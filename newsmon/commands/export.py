"""newsmon export: stored articles as JSON lines, CSV or Parquet, streamed; all of them, or
(`--after CURSOR`) what was stored or revised since an earlier export."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from newsmon.commands import add_store_argument, open_store_or_exit, parse_day
from newsmon.exporters import ArticleCsvExporter, ArticleJsonLinesExporter
from newsmon.items import Article
from newsmon.store import Store

TEXT_FORMATS = {"jsonl": ArticleJsonLinesExporter, "csv": ArticleCsvExporter}
FORMATS = (*TEXT_FORMATS, "parquet")

CURSOR_HELP = """\
Incremental delivery: `--after CURSOR` writes the articles stored or revised since the export
that gave CURSOR (0: since the beginning), in the order of their changes, and then says the next
cursor: on standard error as `next cursor: N`, and in FILE with --cursor-file (written only once
the output is complete, so a failed run is simply repeated). A job that passes each run's cursor
to the next gets every change exactly once, with no gap and no repeat, even while crawls write;
an article revised twice between two runs comes once, in its latest version.

  newsmon export --after "$(cat cursor 2>/dev/null || echo 0)" --cursor-file cursor -o batch.jsonl
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write stored articles as JSON lines, CSV or Parquet (all, or the changes since a cursor)",
        description=(
            "Write stored articles, newest first, with exactly the schema's fields"
            " (newsmon/schema/article.schema.json); times are ISO 8601 UTC with offset."
            " JSON lines can be loaded back with `newsmon load` (a lossless round trip)."
            " Parquet keeps the schema's types (times as timestamp[us, tz=UTC], lists as"
            " list<string>) for DuckDB, pandas and the like; it is binary and needs -o.\n\n" + CURSOR_HELP
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store_argument(parser)
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
    parser.add_argument("--since", type=parse_day, metavar="DATE", help="published at or after DATE (YYYY-MM-DD, UTC)")
    parser.add_argument("--until", type=parse_day, metavar="DATE", help="published before DATE (YYYY-MM-DD, UTC)")
    parser.add_argument("--lang", metavar="L", help="only this language (az, en, ru, ...)")
    parser.add_argument("--site", metavar="S", help="only this site (apa.az, en.apa.az, ...)")
    parser.add_argument("--after", metavar="CURSOR", help="only changes since CURSOR (see above)")
    parser.add_argument("--cursor-file", type=Path, metavar="FILE", help="with --after: write the next cursor to FILE")
    parser.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    parser.set_defaults(run=run)


def parse_cursor(text: str) -> int:
    """A cursor printed by an earlier export (a whole number >= 0; a cursor file's newline is fine)."""
    cursor = text.strip()
    if not cursor.isdigit() or not cursor.isascii():
        usage_error(f"--after {text!r} is not a cursor (a number an earlier export printed, 0 for everything)")
    return int(cursor)


def usage_error(problem: str) -> None:
    """A user's mistake: one line and exit status 2, as argparse's own (without its usage text)."""
    print(f"newsmon export: {problem}", file=sys.stderr)
    raise SystemExit(2)


def exporter_for(name: str, stream: Any) -> Any:
    if name == "parquet":
        from newsmon.parquet import ArticleParquetExporter  # pyarrow is loaded only for Parquet

        return ArticleParquetExporter(stream)
    return TEXT_FORMATS[name](stream)


def run(args: argparse.Namespace) -> int:
    check_arguments(args)
    store = open_store_or_exit(args, must_exist=True)
    with store:
        if args.after is not None and args.after > (latest := store.latest_change()):
            usage_error(f"cursor {args.after} is ahead of this store, whose last change is {latest}: a cursor of another store?")
        next_cursor = args.after
        target = open(args.output, "wb") if args.output else nullcontext(sys.stdout.buffer)
        written = 0
        with target as stream:
            exporter = exporter_for(args.format, stream)
            exporter.start_exporting()
            for seq, article in articles(store, args):
                exporter.export_item(article)
                written += 1
                next_cursor = seq
            exporter.finish_exporting()
    print(f"exported {written} articles", file=sys.stderr)
    if args.after is not None:
        print(f"next cursor: {next_cursor}", file=sys.stderr)
        if args.cursor_file:
            write_cursor(args.cursor_file, next_cursor)
    return 0


def check_arguments(args: argparse.Namespace) -> None:
    if args.format == "parquet" and not args.output:
        usage_error("--format parquet writes binary data: give an output file with -o FILE")
    if args.after is None:
        if args.cursor_file:
            usage_error("--cursor-file goes with --after CURSOR")
        return
    args.after = parse_cursor(args.after)
    if any((args.since, args.until, args.lang, args.site)):
        usage_error("--after exports every change, in change order: it does not combine with --since, --until, --lang or --site")


def articles(store: Store, args: argparse.Namespace) -> Iterator[tuple[int | None, Article]]:
    if args.after is not None:
        yield from store.changes(args.after)
    else:
        for article in store.query(since=args.since, until=args.until, lang=args.lang, site=args.site):
            yield None, article


def write_cursor(path: Path, cursor: int) -> None:
    """Replace the cursor file in one step: a crash leaves the old cursor or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(f"{cursor}\n", encoding="ascii")
    os.replace(temporary, path)
