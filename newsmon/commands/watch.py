"""newsmon watch add|list|remove: the saved queries every newly stored article is matched against."""
from __future__ import annotations

import argparse
import json

from newsmon.commands import add_store_argument, open_store_or_exit
from newsmon.items import isoformat_utc
from newsmon.store import StoreError, WatchlistExists
from newsmon.watch import Watchlist, describe, parse_terms

DESCRIPTION = """\
A watchlist is a saved query. Every article stored from then on (by a crawl, `newsmon load` or
`newsmon replay`) that holds all its terms in its title or body, and is of one of its outlets,
languages and categories when it names any, raises an alert: one per story, however many
outlets carry it (later copies add to the story's alert). Alerts are kept in the store and
posted to $NEWSMON_WATCH_WEBHOOK when it is set.

Terms are compared the way people type them: Azerbaijani letters folded (ə=e, ı=İ=I=i, ş=s,
ç=c, ğ=g, ö=o, ü=u), any case, Russian ё=е. A quoted phrase must appear word for word.

  newsmon watch add energy 'Bayramov "oil price"' --lang en,az
  newsmon watch list
  newsmon watch remove energy
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "watch", help="add, list and remove watchlists (saved queries that raise alerts)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="save a watchlist", description="Save a watchlist. " + DESCRIPTION,
                             formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add.add_argument("name", help="a name of its own, to list and remove it by")
    add.add_argument("query", help='terms, all required; quote a phrase: \'Bayramov "oil price"\'')
    add.add_argument("--outlet", type=_names, default=(), metavar="A,B", help="only these outlets (apa, report, trend, ...)")
    add.add_argument("--lang", type=_names, default=(), metavar="A,B", help="only these languages (az, en, ru)")
    add.add_argument("--category", type=_names, default=(), metavar="A,B", help="only these categories, as the outlets print them")
    add_store_argument(add)
    add.set_defaults(run=run_add)

    listing = actions.add_parser("list", help="list watchlists and their latest alerts")
    listing.add_argument("--alerts", type=int, default=3, metavar="N", help="latest alerts shown per watchlist (default 3)")
    listing.add_argument("--json", action="store_true", help="print watchlists with their latest alerts as JSON")
    add_store_argument(listing)
    listing.set_defaults(run=run_list)

    remove = actions.add_parser("remove", help="forget a watchlist and its alerts")
    remove.add_argument("watchlist", help="its name or id")
    add_store_argument(remove)
    remove.set_defaults(run=run_remove)


def _names(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise argparse.ArgumentTypeError(f"expected names separated by commas: {text!r}")
    return names


def run_add(args: argparse.Namespace) -> int:
    try:
        watchlist = Watchlist(args.name, parse_terms(args.query), args.outlet, args.lang, args.category)
    except ValueError as exc:
        raise SystemExit(f"newsmon watch add: {exc}") from None
    with open_store_or_exit(args) as store:
        try:
            saved = store.add_watchlist(watchlist)
        except WatchlistExists as exc:
            raise SystemExit(f"newsmon watch add: {exc} (remove it first, or choose another name)") from None
        except StoreError as exc:
            raise SystemExit(f"newsmon watch add: {exc}") from None
    print(f"watchlist {saved.name} ({saved.id}): {describe(saved)}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_store_or_exit(args, must_exist=True) as store:
        watchlists = store.watchlists()
        alerts = {w.id: store.alerts(args.alerts, watchlist_id=w.id) for w in watchlists}
    if args.json:
        records = [{**w.to_record(), "alerts": [a.to_record() for a in alerts[w.id]]} for w in watchlists]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not watchlists:
        print("no watchlists (newsmon watch add NAME QUERY)")
    for watchlist in watchlists:
        print(f"{watchlist.name} ({watchlist.id}): {describe(watchlist)}")
        for alert in alerts[watchlist.id]:
            print(f"    {isoformat_utc(alert.raised_at)[:16]}Z  {alert.copies} copies ({', '.join(alert.outlets)}): {alert.first['title']}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with open_store_or_exit(args, must_exist=True) as store:
        named = [w for w in store.watchlists() if args.watchlist in (w.name, w.id)]
        if not named:
            raise SystemExit(f"newsmon watch remove: no watchlist named {args.watchlist!r} (newsmon watch list shows them)")
        store.remove_watchlist(named[0].id)
    print(f"removed watchlist {named[0].name} ({named[0].id}) and its alerts")
    return 0
