"""Subcommands of the `newsmon` console script, one module each (see newsmon.cli)."""
from __future__ import annotations

import argparse
import os
from datetime import datetime, timezone
from typing import Any

from scrapy.utils.project import get_project_settings

from newsmon.store import StoreError, open_store, redact_uri, resolve_store_uri, store_uri_setting
from newsmon.store.base import STORE_ENV_VAR, redact_text


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URI",
        help="store URI (default: $NEWSMON_STORE, else sqlite:///data/newsmon.db)",
    )


def project_settings() -> Any:
    """The Scrapy project settings (scrapy.cfg or SCRAPY_SETTINGS_MODULE), which carry NEWSMON_*."""
    return get_project_settings()


def store_uri(args: argparse.Namespace) -> str:
    """--store, then $NEWSMON_STORE, then the project's NEWSMON_STORE setting, then the default."""
    if args.store or os.environ.get(STORE_ENV_VAR):
        return args.store or os.environ[STORE_ENV_VAR]
    try:
        return resolve_store_uri(store_uri_setting(project_settings()))
    except StoreError as exc:
        raise SystemExit(f"newsmon: {exc}") from None


def open_store_or_exit(args: argparse.Namespace, *, must_exist: bool = False):
    """The store of `store_uri(args)`, with the project's NEWSMON_STORE_OPTIONS; `must_exist`
    for commands that only read, so that a mistyped path is an error, not a new empty store."""
    uri = store_uri(args)
    try:
        return open_store(uri, must_exist=must_exist, **project_settings().getdict("NEWSMON_STORE_OPTIONS"))
    except StoreError as exc:
        raise SystemExit(f"newsmon: cannot open store {redact_uri(uri)}: {redact_text(str(exc))}") from None


def parse_day(text: str) -> datetime:
    """argparse type for --since/--until: YYYY-MM-DD or a full ISO 8601 time (UTC when naive)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
