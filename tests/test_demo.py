"""`newsmon demo` twice on a fresh store: the second run stores nothing new and says so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newsmon.replay import expected_articles
from newsmon.replay.crawl import PROJECT_ROOT
from newsmon.commands.demo import EDITION_WIDTH, LABEL_WIDTH, OUTLET_WIDTH, SCOPE_WIDTH
from newsmon.replay import build_replay

SAMPLE_DOCUMENTS = 1


def run_demo(store: str, metrics: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "demo", "--store", store],
        cwd=PROJECT_ROOT,
        env={**os.environ, "NEWSMON_PROMETHEUS_FILE": str(metrics)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_demo_twice(tmp_path):
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    total = len(expected_articles()) + SAMPLE_DOCUMENTS
    metrics = tmp_path / "metrics"

    first = run_demo(store, metrics / "newsmon-{scope}.prom")
    assert f"Stored {total} new articles; {total} in the store." in first
    site = build_replay()
    for scope, (_, edition) in site.editions.items():
        # The edition's crawl alone: the sample document (an en.apa.az article) is counted apart.
        stored = sum(1 for story in site.stories[scope] if not story.dropped_as)
        assert f"  {scope:<{SCOPE_WIDTH}} {edition.host + edition.prefix:<{EDITION_WIDTH}} {stored} new, {stored} in store" in first
    assert "Newest headlines (UTC):" in first
    # The replays carry one event at several outlets, and in several languages.
    assert "Stories told by several outlets:" in first and "in several languages:" in first
    assert f"2026-04-08 08:40  {'apa':<{OUTLET_WIDTH}} en  SOCAR and bp sign new agreement on Shafag-Asiman block" in first
    # One metrics textfile per edition's crawl, none overwriting another's.
    assert sorted(path.name for path in metrics.iterdir()) == sorted(
        f"newsmon-{scope.replace(':', '-')}.prom" for scope in site.editions
    )

    second = run_demo(store, metrics / "newsmon-{scope}.prom")
    assert f"Nothing new: {total} articles already stored." in second
    assert "new, " not in second  # no edition stored anything
    for scope, (_, edition) in site.editions.items():
        assert f"  {scope:<{SCOPE_WIDTH}} {edition.host + edition.prefix:<{EDITION_WIDTH}} nothing new: " in second
    assert f"  {'samples':<{LABEL_WIDTH}} nothing new: 1 document already stored" in second
