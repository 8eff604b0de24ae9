"""newsmon stats: what the store holds, by outlet, site, language, day and story."""
from __future__ import annotations

import argparse
import json
from collections import Counter

from newsmon.commands import add_store_argument, open_store_or_exit
from newsmon.sites import outlet_of_host
from newsmon.store import redact_uri


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="count stored articles by outlet, site, language and day; list stories told by several articles, outlets, languages",
        description="Summarize the store: totals by outlet (the agency across its editions), site (host),"
        " language and publication day (UTC),"
        " the stories told by more than one article, outlet or language (each with who was first) and the revision count.",
    )
    add_store_argument(parser)
    parser.add_argument("--days", type=int, default=14, metavar="N", help="show the last N days (default 14)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store_or_exit(args, must_exist=True) as store:
        summary = store.summary()
        uri = redact_uri(store.uri)
    summary["by_outlet"] = by_outlet(summary["by_site"])
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"{summary['total']} articles in {uri}, {summary['revisions']} earlier revisions kept")
    _print_table("by outlet", summary["by_outlet"])
    _print_table("by site", summary["by_site"])
    _print_table("by language", summary["by_lang"])
    _print_table(f"by day (UTC, last {args.days})", dict(list(summary["by_day"].items())[: args.days]))
    for key, title in STORY_TABLES.items():
        if summary[key]:
            _print_stories(title, summary[key])
    return 0


STORY_TABLES = {
    "stories": "stories told by several articles",
    "multi_outlet_stories": "stories told by several outlets",
    "multi_lang_stories": "stories told in several languages",
}


def _print_stories(title: str, stories: list[dict]) -> None:
    """One line a story: id, articles, outlets and languages in order of publication, who was first and when."""
    print(f"\n{title}:")
    for story in stories:
        first = story["first"]
        print(
            f"  {story['story_id']}  {story['articles']:>3} articles  {','.join(story['outlets'])}  {','.join(story['langs'])}"
            f"  first: {first['outlet']} {first['published_at']}  {first['title'][:60]}"
        )


def by_outlet(by_site: dict[str, int]) -> dict[str, int]:
    """Counts by site (host) added up per outlet (newsmon.sites); a host no profile knows stands alone."""
    counts: Counter[str] = Counter()
    for host, count in by_site.items():
        counts[outlet_of_host(host) or host] += count
    return dict(counts.most_common())


def _print_table(title: str, counts: dict[str, int]) -> None:
    print(f"\n{title}:")
    width = max((len(str(k)) for k in counts), default=0)
    for key, count in counts.items():
        print(f"  {str(key or '-'):<{width}}  {count:>7}")
