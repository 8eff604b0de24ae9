"""newsmon stats: what the store holds, by site, language, day and story."""
from __future__ import annotations

import argparse
import json

from newsmon.commands import add_store_argument, open_store_or_exit
from newsmon.store import redact_uri


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="count stored articles by site, language and day; list multi-article stories",
        description="Summarize the store: totals by site, language and publication day (UTC),"
        " the stories told by more than one article (largest first) and the revision count.",
    )
    add_store_argument(parser)
    parser.add_argument("--days", type=int, default=14, metavar="N", help="show the last N days (default 14)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store_or_exit(args, must_exist=True) as store:
        summary = store.summary()
        uri = redact_uri(store.uri)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"{summary['total']} articles in {uri}, {summary['revisions']} earlier revisions kept")
    _print_table("by site", summary["by_site"])
    _print_table("by language", summary["by_lang"])
    _print_table(f"by day (UTC, last {args.days})", dict(list(summary["by_day"].items())[: args.days]))
    if summary["stories"]:
        _print_table("stories told by several articles", {s["story_id"]: s["articles"] for s in summary["stories"]})
    return 0


def _print_table(title: str, counts: dict[str, int]) -> None:
    print(f"\n{title}:")
    width = max((len(str(k)) for k in counts), default=0)
    for key, count in counts.items():
        print(f"  {str(key or '-'):<{width}}  {count:>7}")
