"""newsmon runs: recent crawl runs with their key figures and monitor results."""
from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from newsmon.commands import add_store_argument, open_store_or_exit
from newsmon.items import isoformat_utc, parse_isoformat
from newsmon.monitoring import FAILED_STATUSES, SCOPE_WINDOW, combine_worker_runs, recorded_scope

# Run documents read per row asked for: a distributed crawl records one per worker, and they
# are added up into one row (combine_worker_runs).
WORKER_WINDOW = 8

COLUMNS = (
    ("started (UTC)", "<"), ("spider", "<"), ("scope", "<"), ("duration", ">"), ("finish", "<"),
    ("requests", ">"), ("seen", ">"), ("stored", ">"), ("dup", ">"), ("dropped", ">"), ("rejected", ">"),
    ("published_at", ">"), ("body", ">"), ("workers", ">"), ("monitors", "<"),
)  # fmt: skip


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list recent crawl runs with their key figures and monitor results",
        description="List the crawl runs recorded in the store, newest first: start, spider, scope (what"
        " the crawl covered, e.g. apa:en), duration, finish reason, requests, articles seen on listing"
        " pages and feeds / stored / duplicate / dropped by the chain, pages the spider rejected,"
        " coverage of published_at and body among the article pages, the number of workers (a distributed"
        " crawl's workers each record a run; they are added up into one row), and the monitors' verdict"
        " (each failure on its own line). --json has the reasons of drops and rejections.",
    )
    add_store_argument(parser)
    parser.add_argument("--spider", metavar="NAME", help="only runs of this spider")
    parser.add_argument("--scope", metavar="SCOPE", help="only runs of this scope, as the scope column shows it")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="show the last N runs (default 20)")
    parser.add_argument("--json", action="store_true", help="print the run documents as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store_or_exit(args, must_exist=True) as store:
        window = args.limit * WORKER_WINDOW * (SCOPE_WINDOW if args.scope else 1)
        runs = combine_worker_runs(store.recent_runs(args.spider, limit=window))
    if args.scope:
        runs = [run_doc for run_doc in runs if recorded_scope(run_doc) == args.scope]
    runs = runs[: args.limit]
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=2, default=_json_value))
        return 0
    if not runs:
        wanted = [f"{name} {value}" for name, value in (("spider", args.spider), ("scope", args.scope)) if value]
        print("no runs recorded" + (f" for {', '.join(wanted)}" if wanted else ""))
        return 0
    rows = [_row(r) for r in runs]
    widths = [max(len(title), *(len(row[i]) for row in rows)) for i, (title, _) in enumerate(COLUMNS)]
    print(_format([title for title, _ in COLUMNS], widths))
    for run_doc, row in zip(runs, rows):
        print(_format(row, widths))
        for monitor in _failed(run_doc):
            print(f"    {monitor['status']} {monitor['name']}: {monitor['message']}")
    return 0


def _row(run_doc: dict[str, Any]) -> list[str]:
    items = run_doc.get("items", {})
    coverage = run_doc.get("coverage", {})
    started = parse_isoformat(run_doc.get("started_at"))
    return [
        started.strftime("%Y-%m-%d %H:%M:%S") if started else "-",
        run_doc.get("spider", "-"),
        recorded_scope(run_doc),
        _duration(run_doc.get("duration_seconds")),
        run_doc.get("finish_reason") or "-",
        str(run_doc.get("requests", 0)),
        # "-": runs recorded before these figures existed
        str(items["seen"]) if "seen" in items else "-",
        str(items.get("stored", 0)),
        str(items.get("duplicates", 0)),
        str(sum(items.get("dropped", {}).values())),
        str(sum(run_doc["pages"]["rejected"].values())) if "pages" in run_doc else "-",
        _percent(coverage.get("published_at")),
        _percent(coverage.get("body")),
        str(len(run_doc["distributed"]["workers"])) if "distributed" in run_doc else "1",
        _verdict(run_doc),
    ]


def _failed(run_doc: dict[str, Any]) -> list[dict[str, str]]:
    return [m for m in run_doc.get("monitors", []) if m.get("status") in FAILED_STATUSES]


def _verdict(run_doc: dict[str, Any]) -> str:
    if not run_doc.get("monitors"):
        return "-"
    failed = _failed(run_doc)
    return f"FAIL ({len(failed)})" if failed else "PASS"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(float(seconds), 60)
    return f"{int(minutes)}m{secs:04.1f}s" if minutes else f"{secs:.1f}s"


def _percent(share: float | None) -> str:
    if share is None:
        return "-"
    # One decimal below 100%, so that 199 of 200 never reads as "100%".
    return "100%" if share >= 1 else f"{share:.1%}"


def _format(cells: list[str], widths: list[int]) -> str:
    return "  ".join(f"{cell:{align}{width}}" for cell, width, (_, align) in zip(cells, widths, COLUMNS)).rstrip()


def _json_value(value: Any) -> Any:
    return isoformat_utc(value) if isinstance(value, datetime) else str(value)
