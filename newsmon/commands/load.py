"""newsmon load PATH... : offline article dumps and .jsonl exports into the store."""
from __future__ import annotations

import argparse
import os
import sys

from tqdm import tqdm

from newsmon.commands import add_store_argument, open_store_or_exit, project_settings
from newsmon.loader import iter_files, load_paths
from newsmon.store import redact_uri


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load",
        help="load article dumps (.txt) and exports (.jsonl) into the store",
        description=(
            "Load files and directories (recursively) of plain-text article dumps and of .jsonl"
            " files written by `newsmon export`. Every article is cleaned, dated, deduplicated and"
            " stored. A file that cannot be used is reported with the reason; the exit status is 1"
            " when anything was rejected, 0 otherwise."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file or directory to load")
    add_store_argument(parser)
    parser.add_argument(
        "-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
        help="worker processes reading and cleaning files (default: the CPU count, %(default)s)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Nothing named is there: a typo to fix, not a load of documents that all failed. (Among
    # paths that exist, a missing one is rejected on its line like any unusable file.)
    if not any(os.path.exists(path) for path in args.paths):
        raise SystemExit("; ".join(f"newsmon load: {path}: no such file or directory" for path in args.paths))
    store = open_store_or_exit(args)
    show_progress = sys.stderr.isatty() and not args.no_progress
    # Counting the files first (names only) gives the progress bar its total.
    total = sum(1 for _ in iter_files(args.paths)) if show_progress else None
    with store, tqdm(total=total, unit="file", disable=not show_progress, file=sys.stderr) as bar:
        report = load_paths(
            args.paths,
            store,
            project_settings(),
            jobs=args.jobs,
            on_problem=lambda line: (bar.write if show_progress else _print_err)(line),
            on_file=lambda _path: bar.update(),
        )
        print(f"{report.summary()} -> {redact_uri(store.uri)}")
    return 1 if report.rejected else 0


def _print_err(line: str) -> None:
    print(line, file=sys.stderr)
