"""newsmon schedule: run the configured spiders on their intervals until stopped."""
from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
from pathlib import Path

from scrapy.utils.conf import closest_scrapy_cfg

from newsmon.commands import project_settings
from newsmon.scheduler import DEFAULT_CRAWL_COMMAND, Scheduler, parse_schedule


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="run the spiders on their intervals (a long-running process), never overlapping",
        description="Run each scheduled spider every INTERVAL, each crawl as `scrapy crawl SPIDER`"
        " in its own process from the project directory, until SIGTERM or SIGINT (then running"
        " crawls get SIGTERM and --shutdown-timeout seconds to close, and the exit status is 0)."
        " A spider never runs twice at once, also across schedulers on one host: a crawl that is"
        " due while the previous one still runs is skipped. The schedule comes from --every, else"
        " $NEWSMON_SCHEDULE (JSON or apa=15m,other=1h), else the NEWSMON_SCHEDULE setting."
        " Arguments after -- go to every crawl (e.g. -- -s LOG_LEVEL=WARNING).",
    )
    parser.add_argument(
        "--every", action="append", metavar="SPIDER=INTERVAL",
        help="run SPIDER every INTERVAL (90s, 15m, 1h, 1d); repeatable; replaces the configured schedule",
    )  # fmt: skip
    parser.add_argument(
        "--once", action="store_true",
        help="run each spider once (or skip it if it is running) and exit; the exit status is then 1"
        " if a crawl failed or failed its monitors (for cron and CronJobs)",
    )  # fmt: skip
    parser.add_argument(
        "--lock-dir", metavar="DIR",
        help="where the per-spider lock files live, relative to the project directory like the store"
        " (default: $NEWSMON_SCHEDULE_LOCK_DIR, else the setting of that name, else data/locks)",
    )  # fmt: skip
    parser.add_argument(
        "--shutdown-timeout", type=float, default=60.0, metavar="SECONDS",
        help="how long a running crawl may take to close after SIGTERM before it is killed (default 60)",
    )  # fmt: skip
    parser.add_argument(
        "--crawl-command", default=shlex.join(DEFAULT_CRAWL_COMMAND), metavar="COMMAND",
        help="the command that runs one crawl; the spider name and extra arguments are appended"
        " (default: this Python's `-m scrapy crawl`)",
    )  # fmt: skip
    parser.add_argument("crawl_args", nargs="*", metavar="CRAWL_ARG", help="after --: extra arguments for every crawl")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = project_settings()

    def configured(name: str) -> object:
        """$NAME, else the NAME setting (so that it works outside the project directory too)."""
        return os.environ.get(name) or settings.get(name)

    if args.every:
        source, configured_schedule = "--every", ",".join(args.every)
    elif os.environ.get("NEWSMON_SCHEDULE"):
        source, configured_schedule = "$NEWSMON_SCHEDULE", os.environ["NEWSMON_SCHEDULE"]
    else:
        source, configured_schedule = "the NEWSMON_SCHEDULE setting", settings.get("NEWSMON_SCHEDULE") or {}
    try:
        schedule = parse_schedule(configured_schedule)
    except ValueError as exc:  # json.JSONDecodeError included: its message would not say where
        raise SystemExit(f"newsmon schedule: {source}: {exc}") from None
    if not schedule:
        raise SystemExit("newsmon schedule: nothing to schedule (set NEWSMON_SCHEDULE or use --every)")
    # Crawls run from the project directory (scrapy.cfg), where relative data paths also live.
    cfg = closest_scrapy_cfg()
    project_dir = Path(cfg).parent if cfg else Path.cwd()
    scheduler = Scheduler(
        schedule,
        lock_dir=project_dir / (args.lock_dir or configured("NEWSMON_SCHEDULE_LOCK_DIR") or "data/locks"),
        project_dir=project_dir,
        crawl_command=shlex.split(args.crawl_command),
        crawl_args=args.crawl_args,
        once=args.once,
        shutdown_timeout=args.shutdown_timeout,
    )
    # The per-run lines are the point of this command: show them even without -v.
    scheduler_logger = logging.getLogger("newsmon.scheduler")
    if not scheduler_logger.isEnabledFor(logging.INFO):
        scheduler_logger.setLevel(logging.INFO)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.stop())
    intervals = ", ".join(f"{spider} every {seconds:g}s" for spider, seconds in schedule.items())
    scheduler_logger.info("scheduling %s%s", intervals, " (once)" if args.once else "")
    scheduler.run()
    if args.once and any(result.exit_status != 0 for result in scheduler.results):
        return 1
    return 0
