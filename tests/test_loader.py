"""The loader's streaming, parallel workers and progress bar."""
import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

from scrapy.utils.project import get_project_settings

from bench.bench_loader import write_documents
from newsmon.loader import LOAD_BATCH_SIZE, UNIT_SIZE, iter_files, load_paths
from newsmon.store import open_store

SAMPLE = Path(__file__).parents[1] / "newsmon/samples/000_f31a5c00198cdecc.txt"


def exported(store_uri: str) -> list[tuple]:
    with open_store(store_uri) as store:
        return sorted((a.title, a.body, a.published_at, a.lang, a.content_hash) for a in store.query())


def test_parallel_workers_store_exactly_what_one_process_stores(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_documents(docs, 120)
    shutil.copy(SAMPLE, docs / "sample.txt")
    shutil.copy(SAMPLE, docs / "sample-copy.txt")
    (docs / "broken.txt").write_bytes(b"\x00\x01binary")
    reports = {}
    for jobs in (1, 2):
        uri = f"sqlite:///{tmp_path}/jobs{jobs}.db"
        problems: list[str] = []
        with open_store(uri) as store:
            reports[jobs] = load_paths([docs], store, {}, jobs=jobs, on_problem=problems.append)
        assert problems == [f"{docs / 'broken.txt'}: rejected: binary file (contains NUL bytes)"]
    assert reports[1] == reports[2]
    assert (reports[2].read, reports[2].stored, reports[2].duplicates, reports[2].rejected) == (123, 121, 1, 1)
    assert exported(f"sqlite:///{tmp_path}/jobs1.db") == exported(f"sqlite:///{tmp_path}/jobs2.db")


def test_directories_are_walked_recursively_in_order_skipping_hidden(tmp_path):
    (tmp_path / "b" / ".git").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    for name in ("b/2.txt", "b/1.txt", "a/z.txt", "b/.hidden.txt", "b/.git/x.txt"):
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])] == ["a/z.txt", "b/1.txt", "b/2.txt"]


def test_progress_bar_on_a_terminal(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_documents(docs, 30)
    controller, terminal = pty.openpty()
    # A new pseudo-terminal is 0 columns wide, which tqdm honours by drawing nothing.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "load", str(docs), "--store", f"sqlite:///{tmp_path}/s.db"],
        cwd=tmp_path, stdin=terminal, stdout=terminal, stderr=terminal, env={**os.environ, "NEWSMON_STORE": ""},
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed when the process exited
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0
    text = output.decode("utf-8", "replace")
    assert "30/30" in text and "file" in text  # tqdm's bar: done/total and the unit
    assert "30 documents read: 30 stored" in text


def test_a_large_jsonl_is_read_in_units_with_its_line_numbers(tmp_path):
    lines = [
        json.dumps({"title": f"Xəbər {n}", "body": f"Bakıda {n} nömrəli tədbir keçirilib və iştirakçılar çıxış ediblər.",
                    "published_at": "2025-11-16T10:00:00+00:00", "lang": "az"}, ensure_ascii=False)
        for n in range(3 * UNIT_SIZE)
    ]
    lines[UNIT_SIZE + 3] = "{broken"
    path = tmp_path / "backup.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for jobs in (1, 2):
        problems: list[str] = []
        finished: list[str] = []
        with open_store(f"sqlite:///{tmp_path}/jobs{jobs}.db") as store:
            report = load_paths([path], store, {}, jobs=jobs, on_problem=problems.append, on_file=finished.append)
        assert problems == [f"{path}:{UNIT_SIZE + 4}: rejected: bad article record: Expecting property name"
                            " enclosed in double quotes: line 1 column 2 (char 1)"]
        assert (report.read, report.stored, report.rejected) == (3 * UNIT_SIZE, 3 * UNIT_SIZE - 1, 1)
        assert finished == [str(path)]  # the progress bar moves once per file


def test_the_loader_writes_batches_of_its_own_size(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_documents(docs, 30)
    assert get_project_settings().getint("NEWSMON_LOAD_BATCH_SIZE") == LOAD_BATCH_SIZE
    for settings, expected in [({"NEWSMON_LOAD_BATCH_SIZE": 8, "NEWSMON_BATCH_SIZE": 3}, [8, 8, 8, 6]),
                               ({"NEWSMON_BATCH_SIZE": 3}, [30])]:  # default: LOAD_BATCH_SIZE, not the crawl's
        with open_store(f"sqlite:///{tmp_path}/{len(expected)}.db") as store:
            written: list[int] = []
            upsert_many = store.upsert_many
            store.upsert_many = lambda batch: (written.append(len(batch)), upsert_many(batch))[1]
            load_paths([docs], store, settings)
        assert written == expected
