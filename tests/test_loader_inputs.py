"""What the loader reads: regular files of a bounded size; whatever stops it, the articles it let through are stored."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsmon.loader import load_paths
from newsmon.store.sqlite import SQLiteStore

SAMPLE = Path(__file__).parents[1] / "newsmon/samples/000_f31a5c00198cdecc.txt"
SETTINGS = {"NEWSMON_LOAD_BATCH_SIZE": 2000}


def load(tmp_path: Path, *paths: Path, **settings) -> tuple[list[str], SQLiteStore]:
    problems: list[str] = []
    store = SQLiteStore(f"sqlite:///{tmp_path}/newsmon.db")
    load_paths([str(p) for p in paths], store, {**SETTINGS, **settings}, on_problem=problems.append)
    return problems, store


def test_a_fifo_among_the_dumps_is_rejected_and_the_rest_loads(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(SAMPLE, dumps / "a.txt")
    os.mkfifo(dumps / "x.txt")
    # In a subprocess: before the fix, opening the FIFO waited for a writer forever.
    result = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "load", "--store", f"sqlite:///{tmp_path}/n.db", "--no-progress", str(dumps)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"{dumps / 'x.txt'}: rejected: not a regular file (a FIFO)" in result.stderr
    assert "1 stored" in result.stdout


def test_sockets_are_rejected_and_symlinks_to_regular_files_are_read(tmp_path):
    dumps = tmp_path / "d"
    dumps.mkdir()
    (dumps / "link.txt").symlink_to(SAMPLE)
    os.mkfifo(tmp_path / "fifo")
    (dumps / "to-fifo.txt").symlink_to(tmp_path / "fifo")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(dumps / "s.txt"))
    try:
        problems, store = load(tmp_path, dumps)
    finally:
        server.close()
    assert problems == [
        f"{dumps / 's.txt'}: rejected: not a regular file (a socket)",
        f"{dumps / 'to-fifo.txt'}: rejected: not a regular file (a FIFO)",
    ]
    assert store.count() == 1


def test_a_file_over_the_document_cap_is_rejected_saying_so(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(SAMPLE.read_bytes() * 3)
    problems, store = load(tmp_path, big, SAMPLE, NEWSMON_LOAD_MAX_DOCUMENT_BYTES=len(SAMPLE.read_bytes()) + 1)
    assert problems == [
        f"{big}: rejected: {big.stat().st_size:,} bytes, over the {len(SAMPLE.read_bytes()) + 1:,} a document may be"
        " (NEWSMON_LOAD_MAX_DOCUMENT_BYTES)"
    ]
    assert store.count() == 1


def test_a_jsonl_line_over_the_cap_is_rejected_by_its_number_and_the_next_lines_load(tmp_path):
    record = {"url": "https://apa.az/en/news/1", "title": "A title", "body": "Some text.", "site": "en.apa.az",
              "lang": "en", "published_at": "2024-04-28T12:00:00+00:00"}  # fmt: skip
    huge = {**record, "url": "https://apa.az/en/news/2", "body": "x" * 5000}
    backup = tmp_path / "backup.jsonl"
    backup.write_text("\n".join(json.dumps(r) for r in (huge, record)) + "\n", encoding="utf-8")
    problems, store = load(tmp_path, backup, NEWSMON_LOAD_MAX_DOCUMENT_BYTES=1000)
    assert problems == [f"{backup}:1: rejected: line over the 1,000 characters a document may be (NEWSMON_LOAD_MAX_DOCUMENT_BYTES)"]
    assert [a.url for a in store.query()] == [record["url"]]


def test_a_dump_dates_its_relative_dateline_from_the_files_time(tmp_path):
    dump = tmp_path / "oxu.txt"
    dump.write_text("Başlıq\n\n# 2 saat əvvəl\n\nMətn mətn mətn.\n", encoding="utf-8")
    saved = datetime(2024, 4, 28, 10, 0, tzinfo=timezone.utc)
    os.utime(dump, (saved.timestamp(), saved.timestamp()))
    problems, store = load(tmp_path, dump)
    assert problems == []
    (article,) = store.query()
    assert article.published_at == saved - timedelta(hours=2)


class Interrupted(Exception):
    pass


def test_an_exception_mid_load_still_writes_the_articles_let_through(tmp_path):
    store = SQLiteStore(f"sqlite:///{tmp_path}/newsmon.db")
    second = tmp_path / "b.txt"
    second.write_text(SAMPLE.read_text(encoding="utf-8").replace("\n\n", "\n\nAnother paragraph.\n\n", 1), encoding="utf-8")

    def stop_after_first(path: str) -> None:
        raise Interrupted(path)

    with pytest.raises(Interrupted):
        load_paths([str(SAMPLE), str(second)], store, SETTINGS, on_file=stop_after_first)
    assert store.count() >= 1
