"""A SecantusDB server in a process of its own, on a free loopback port: the real MongoDB
wire-protocol server that the tests and the bench (`bench/`) run the MongoDB store against.

SecantusDB (`SecantusDB` on PyPI, a test dependency) speaks MongoDB's wire protocol on WiredTiger;
pymongo cannot tell it from a single-node mongod. It is not mongod: no text indexes, and its
Python server is 2-27x slower per operation (its own figures). A process of its own, not the
in-process `SecantusDBServer`, so that tests can inject faults with signals: `kill()` (SIGKILL)
and `start()` again on the same data, `freeze()` (SIGSTOP) and `thaw()` (SIGCONT).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from pymongo import MongoClient
from pymongo.errors import PyMongoError

START_TIMEOUT = 60.0  # seconds; it starts in about 2 s on an idle machine
STOP_TIMEOUT = 15.0


def free_port() -> int:
    """A loopback TCP port nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SecantusServer:
    """`secantusd-py` on 127.0.0.1, its WiredTiger data and its log under `folder`.

    `auth`: SCRAM-SHA-256 required (provision users first, on a server started without it).
    `sync_on_commit`: every commit is fsynced before it is acknowledged. Without it SecantusDB
    loses its last acknowledged writes when killed (mongod's journal, written at commit, survives
    a killed process), so the tests that kill it turn it on.
    """

    def __init__(self, folder: Path, *, port: int | None = None, auth: bool = False, sync_on_commit: bool = False):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.auth = auth
        self.sync_on_commit = sync_on_commit
        self.process: subprocess.Popen | None = None

    def uri(self, database: str = "newsmon_test", credentials: str = "") -> str:
        """`credentials`: `user:password` (percent-encoded), authenticated against `admin`."""
        if credentials:
            return f"mongodb://{credentials}@127.0.0.1:{self.port}/{database}?authSource=admin"
        return f"mongodb://127.0.0.1:{self.port}/{database}"

    @property
    def log_path(self) -> Path:
        return self.folder / "secantusd.log"

    def start(self) -> "SecantusServer":
        """Starts the server on its port and data, and waits until it answers a ping."""
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(self.port),
                   "--storage-path", str(data), "--log-level", "WARNING"]  # fmt: skip
        command += ["--auth"] * self.auth + ["--sync-on-commit"] * self.sync_on_commit
        with open(self.log_path, "ab") as log:
            # Its own working directory: SecantusDB reads a ./secantusd.toml when there is one.
            self.process = subprocess.Popen(command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_it_answers()
        return self

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        # A ping needs no authentication, also with --auth.
        with MongoClient(self.uri(), serverSelectionTimeoutMS=250, connectTimeoutMS=250) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"SecantusDB exited with {self.process.returncode}:\n{self._log_tail()}")
                try:
                    client.admin.command("ping")
                    return
                except PyMongoError:
                    if time.monotonic() > deadline:
                        self.kill()
                        raise RuntimeError(f"SecantusDB did not answer in {START_TIMEOUT:.0f} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer: no shutdown at all."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel does), nothing answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), killed if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        self.thaw()  # a frozen process would never handle SIGTERM
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> "SecantusServer":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
