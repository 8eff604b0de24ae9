"""For `scrapyd-deploy`, which builds a project egg with `setup.py bdist_egg`: everything is in
pyproject.toml (packages, the `scrapy` settings entry point Scrapyd reads)."""
from setuptools import setup

setup()
