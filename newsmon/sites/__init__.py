"""The site registry: every module of this package that defines `SITE` is a monitored outlet.

Adding an outlet is adding a module here (and its replay); the spiders (`scrapy crawl <name>`),
URL canonicalization, the loader's credit lines, the schedule and the demo all read this registry.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil

from newsmon.sites.base import Site

# Modules of this package that are machinery, not outlets.
_NOT_SITES = frozenset({"base", "feeds", "generic"})


def _discover() -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name in _NOT_SITES or module.name.startswith("_"):
            continue
        site = getattr(importlib.import_module(f"{__name__}.{module.name}"), "SITE", None)
        if isinstance(site, Site):
            if site.name in sites:
                raise RuntimeError(f"two site modules name themselves {site.name!r}")
            sites[site.name] = site
    return dict(sorted(sites.items()))


REGISTRY: dict[str, Site] = _discover()


def site_named(name: str) -> Site:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no site {name!r}: choose from {', '.join(REGISTRY)}") from None


@functools.lru_cache(maxsize=4096)  # one call per URL canonicalized; hosts repeat
def site_of_host(host: str) -> Site | None:
    """The outlet whose domains include `host` (any edition, alias or old host)."""
    host = host.lower().rstrip(".")
    return next((site for site in REGISTRY.values() if site.owns_host(host)), None)


def site_of_agency(name: str) -> Site | None:
    """The outlet a credit line names (`APA`, `Report.az`), None for an agency without a profile."""
    folded = name.strip().casefold()
    return next((s for s in REGISTRY.values() if folded in {n.casefold() for n in agency_names(s)}), None)


def agency_names(site: Site) -> tuple[str, ...]:
    """How an outlet signs: its agency names, its title and its domains (`apa.az`)."""
    return tuple(dict.fromkeys((*site.agency_names, site.title, *site.domains)))


def outlet_of_host(host: str) -> str:
    """The outlet name for a host (`en.apa.az` -> `apa`), "" when no profile knows it."""
    site = site_of_host(host)
    return site.name if site else ""
