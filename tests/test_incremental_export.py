"""`newsmon export --after`: every change exactly once, no gap and no repeat, while writers write;
on SQLite and on a real MongoDB wire-protocol server."""
from __future__ import annotations

import json
import threading
import time
from contextlib import redirect_stderr
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest

from newsmon.cli import main as newsmon_main
from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.store import open_store
from newsmon.store.mongo import MongoStore
from test_cli import newsmon
from test_store_contract import article

WRITERS = 2
BATCHES = 12  # per writer
BATCH = 15


def export_after(empty_store_uri: str, cursor_file: Path, output: Path) -> list[dict]:
    """One run of the downstream job: `newsmon export --after "$(cat cursor)" --cursor-file cursor`."""
    cursor = cursor_file.read_text().strip() if cursor_file.exists() else "0"
    with redirect_stderr(StringIO()) as stderr:
        status = newsmon_main(["export", "--store", empty_store_uri, "--after", cursor, "--cursor-file", str(cursor_file), "-o", str(output)])
    assert status == 0, stderr.getvalue()
    assert f"next cursor: {cursor_file.read_text().strip()}" in stderr.getvalue()
    return [json.loads(line) for line in output.read_text().splitlines()]


def revision(original: Article, n: int) -> Article:
    body = f"{original.body}\n\nUpdate {n}."
    return replace(original, body=body, content_hash=content_hash(original.title, body))


def test_a_reader_pulling_while_writers_insert_and_revise_gets_each_change_once(empty_store_uri, tmp_path):
    with open_store(empty_store_uri) as store:
        store.upsert_many([article(n) for n in range(1, 6)])  # something stored before the job starts
    written: list[tuple[str, str]] = []

    def write(writer: int) -> None:
        with open_store(empty_store_uri) as store:
            for batch in range(BATCHES):
                fresh = [article(1000 * (writer + 1) + batch * BATCH + i) for i in range(BATCH)]
                # Each batch also revises two articles of this writer's previous batch.
                revised = [revision(a, batch) for a in previous[writer][:2]] if previous[writer] else []
                store.upsert_many([*fresh, *revised])
                previous[writer] = fresh
                written.extend((a.url, a.content_hash) for a in [*fresh, *revised])
                time.sleep(0.05)  # room for the reader's runs between batches, as a crawl leaves

    previous: dict[int, list[Article]] = {w: [] for w in range(WRITERS)}
    cursor_file, rounds = tmp_path / "cursor", 0
    # The job's first run, before the writers start (it also loads what `newsmon` loads once).
    got = [(r["url"], r["content_hash"]) for r in export_after(empty_store_uri, cursor_file, tmp_path / "first.jsonl")]
    assert len(got) == 5
    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    while True:
        writing = any(thread.is_alive() for thread in threads)
        got += [(r["url"], r["content_hash"]) for r in export_after(empty_store_uri, cursor_file, tmp_path / f"out{rounds}.jsonl")]
        rounds += 1
        if not writing:  # this run started after the last write: it got everything
            break
    assert rounds > 3  # the reader did read while the writers wrote
    with open_store(empty_store_uri) as store:
        final = {a.url: a.content_hash for a in store.query()}
    assert len(got) == len(set(got)), "a change was delivered twice"
    assert {url for url, _ in got} == set(final), "an article was never delivered"
    latest: dict[str, str] = {}
    for url, digest in got:
        latest[url] = digest
    assert latest == final, "the last version delivered is not the stored one"
    assert set(got) <= {*written, *((article(n).url, article(n).content_hash) for n in range(1, 6))}
    assert export_after(empty_store_uri, cursor_file, tmp_path / "nothing.jsonl") == []


def test_a_reader_does_not_pass_a_number_still_being_written(mongo_database_uri: str):
    """Writer A reserves change numbers, writer B reserves later ones and commits first: a reader
    must stop before A's numbers, or it would move its cursor past them and lose A's articles."""
    slow, fast, reader = (MongoStore(mongo_database_uri) for _ in range(3))
    try:
        reader.upsert_many([article(1)])
        (before,) = reader.changes(0)
        reserved, release = threading.Event(), threading.Event()
        write_docs = slow._write_docs

        def write_late(*args):
            reserved.set()
            assert release.wait(30)
            return write_docs(*args)

        slow._write_docs = write_late  # A holds its numbers and has not written yet
        writer_a = threading.Thread(target=slow.upsert_many, args=([article(2)],))
        writer_a.start()
        assert reserved.wait(30)
        fast.upsert_many([article(3)])  # B: a higher number, committed first
        assert list(reader.changes(before.seq)) == []  # not article 3 alone: the cursor would skip article 2
        release.set()
        writer_a.join(30)
        assert [c.article.url for c in reader.changes(before.seq)] == [article(2).url, article(3).url]
    finally:
        for store in (slow, fast, reader):
            store.close()


def test_a_dead_writers_numbers_hold_readers_back_only_until_its_lease_expires(mongo_database_uri: str):
    with MongoStore(mongo_database_uri, change_lease_seconds=0.5) as dead, MongoStore(mongo_database_uri) as store:
        store.upsert_many([article(1)])
        dead._call("reserve", lambda: dead._reserve_changes(3))  # reserved, never written nor released
        store.upsert_many([article(2)])
        assert [c.article.url for c in store.changes(0)] == [article(1).url]
        time.sleep(0.6)
        assert [c.article.url for c in store.changes(0)] == [article(1).url, article(2).url]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--after", "abc"], "newsmon export: --after 'abc' is not a cursor (a number an earlier export printed, 0 for everything)"),
        (["--after", "-3"], "newsmon export: --after '-3' is not a cursor (a number an earlier export printed, 0 for everything)"),
        (["--after", "999"], "newsmon export: cursor 999 is ahead of this store, whose last change is 1: a cursor of another store?"),
        (["--after", "0", "--lang", "en"], "newsmon export: --after exports every change, in change order: it does not combine with --since, --until, --lang or --site"),
        (["--cursor-file", "c"], "newsmon export: --cursor-file goes with --after CURSOR"),
        (["--format", "parquet"], "newsmon export: --format parquet writes binary data: give an output file with -o FILE"),
    ],
)
def test_bad_cursors_and_options_get_one_line_and_status_2(tmp_path, args, message):
    store = f"sqlite:///{tmp_path}/newsmon.db"
    with open_store(store) as opened:
        opened.upsert_many([article(1)])
    result = newsmon("export", "--store", store, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [message]
    assert not (tmp_path / "c").exists()


def test_the_cursor_goes_to_standard_error_and_the_cursor_file(tmp_path):
    store = f"sqlite:///{tmp_path}/newsmon.db"
    with open_store(store) as opened:
        opened.upsert_many([article(1), article(2)])
    first = newsmon("export", "--store", store, "--after", "0", "--cursor-file", "cursor", cwd=tmp_path)
    assert first.returncode == 0 and "next cursor: 2" in first.stderr
    assert [json.loads(line)["url"] for line in first.stdout.splitlines()] == [article(1).url, article(2).url]
    assert (tmp_path / "cursor").read_text() == "2\n"
    again = newsmon("export", "--store", store, "--after", (tmp_path / "cursor").read_text(), cwd=tmp_path)
    assert again.stdout == "" and "next cursor: 2" in again.stderr
