"""One replay template per outlet: every module here defining `TEMPLATE` (see replay.site.OutletTemplate)."""
from __future__ import annotations

import importlib
import pkgutil

from newsmon.replay.site import OutletTemplate


def _discover() -> dict[str, OutletTemplate]:
    found = {}
    for module in pkgutil.iter_modules(__path__):
        template = getattr(importlib.import_module(f"{__name__}.{module.name}"), "TEMPLATE", None)
        if isinstance(template, OutletTemplate):
            found[template.outlet] = template
    return dict(sorted(found.items()))


TEMPLATES: dict[str, OutletTemplate] = _discover()
