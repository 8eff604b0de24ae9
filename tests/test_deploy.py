"""Scrapyd packaging: `scrapyd-deploy --build-egg` (scrapyd-client, a test dependency) builds the
project egg offline, with the package, the settings profiles and the settings entry point Scrapyd
reads (settings.production: MongoDB and Redis from the environment)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from newsmon.replay.crawl import PROJECT_ROOT

# What the egg is built from; the copy keeps the build's by-products out of the checkout.
PROJECT_FILES = ("newsmon", "settings", "scrapy.cfg", "setup.py", "pyproject.toml", "README.md")


def test_scrapyd_deploy_builds_the_project_egg_offline(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    egg = tmp_path / "newsmon.egg"
    deploy = Path(sys.executable).with_name("scrapyd-deploy")
    done = subprocess.run([str(deploy), "--build-egg", str(egg)], cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert {"newsmon/distributed/frontier.py", "newsmon/spiders/outlets.py", "settings/production.py",
            "newsmon/schema/article.schema.json"} <= names  # fmt: skip
    assert "[scrapy]\nsettings = settings.production" in entry_points
