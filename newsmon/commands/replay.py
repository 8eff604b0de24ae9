"""newsmon replay: write the batches spooled while the store was unreachable."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from newsmon.chain import Chain
from newsmon.commands import add_store_argument, open_store_or_exit, project_settings, store_uri
from newsmon.store import StoreError
from newsmon.store.spool import QUARANTINE, SPOOL_DIR_ENV_VAR, Spool, resolve_spool_dir


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="write spooled batches (kept while the store was unreachable) to the store",
        description="When the store cannot be reached during a crawl, batches are spooled to JSON-lines"
        " files (under NEWSMON_SPOOL_DIR, default data/spool, in a directory of the store's own). A"
        " crawl replays them when it starts; this command does it now. Replaying twice stores nothing"
        " twice. Exit status 0 when the store's spool is empty afterwards, 1 when batches remain (the"
        " store is still unreachable) or could not be replayed (moved to quarantine/ in the spool).",
    )
    add_store_argument(parser)
    parser.add_argument(
        "--spool-dir",
        metavar="DIR",
        help="spool root, holding one directory per store"
        " (default: $NEWSMON_SPOOL_DIR, else the NEWSMON_SPOOL_DIR setting, else data/spool)",
    )
    parser.set_defaults(run=run)


def spool_root(args: argparse.Namespace) -> Path:
    """--spool-dir, then $NEWSMON_SPOOL_DIR, then the project's NEWSMON_SPOOL_DIR setting, then the default."""
    return resolve_spool_dir(
        args.spool_dir or os.environ.get(SPOOL_DIR_ENV_VAR) or project_settings().get("NEWSMON_SPOOL_DIR")
    )


def run(args: argparse.Namespace) -> int:
    root = spool_root(args)
    spool = Spool(root, store_uri(args))
    if not spool.pending():
        print(f"nothing to replay into {spool.store_uri} in {spool.directory}")
        return 0
    settings = project_settings().copy()
    settings.set("NEWSMON_SPOOL_DIR", str(root))
    with open_store_or_exit(args) as store:
        # A chain replays the spool as it starts, finding the stories the articles belong to.
        try:
            chain = Chain(settings, store)
            chain.close()
        except StoreError as exc:
            raise SystemExit(f"newsmon: replay into {spool.store_uri} failed: {exc}") from None
    replayed, remaining = chain.stats.get_value("newsmon/store/replayed"), spool.pending()
    print(f"replayed {replayed} articles from {spool.directory} into {spool.store_uri}")
    if quarantined := chain.stats.get_value("newsmon/store/quarantined"):
        print(f"{quarantined} batches could not be replayed: moved to {spool.directory / QUARANTINE}", file=sys.stderr)
        return 1
    if remaining:
        print(f"{remaining} articles still spooled: the store is unreachable again", file=sys.stderr)
        return 1
    return 0
