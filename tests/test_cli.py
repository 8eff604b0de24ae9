"""The `newsmon` console script driven as a user would: subprocesses on a temporary store."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsmon.store import open_store

SAMPLE = Path(__file__).parents[1] / "newsmon/samples/000_f31a5c00198cdecc.txt"
NEWSMON = [sys.executable, "-m", "newsmon.cli"]

RU_DUMP = (
    "Президент Азербайджана принял делегацию Всемирного банка\n\n"
    "# 14 января 2022 10:51 (UTC +04:00)\n\n"
    "Президент Азербайджанской Республики Ильхам Алиев принял делегацию Всемирного банка.\n\n"
    "Стороны обсудили проекты в области энергетики, транспорта и цифровой экономики.\n"
)


def newsmon(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*NEWSMON, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {}), "NEWSMON_STORE": ""},
    )


@pytest.fixture
def store(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/store/newsmon.db"


@pytest.fixture
def docs(tmp_path) -> Path:
    """The English sample and a Russian dump, published on different days."""
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "en.txt")
    (folder / "ru.txt").write_text(RU_DUMP, encoding="utf-8")
    return folder


def test_help_explains_every_command(tmp_path):
    result = newsmon("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("load", "export", "stats"):
        assert command in result.stdout
    load_help = newsmon("load", "--help", cwd=tmp_path).stdout
    assert "--store" in load_help and "rejected" in load_help


def test_load_then_export_the_sample(tmp_path, store):
    loaded = newsmon("load", str(SAMPLE), "--store", store, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "1 stored" in loaded.stdout and "0 rejected" in loaded.stdout
    exported = newsmon("export", "--store", store, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    (record,) = [json.loads(line) for line in exported.stdout.splitlines()]
    assert record["title"] == "US Secretary of State makes call to Azerbaijani President"
    assert record["published_at"] == "2024-04-28T18:40:00+00:00"
    assert record["lang"] == "en" and record["source"] == "file"


def test_copies_differing_in_layout_store_one_article(tmp_path, store):
    docs = tmp_path / "docs" / "nested"
    docs.mkdir(parents=True)
    raw = SAMPLE.read_bytes()
    (docs / "a.txt").write_bytes(raw)
    (docs / "b.txt").write_bytes(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"))
    (docs / "c.txt").write_bytes(raw.replace(b"\n", b"   \n"))
    first = newsmon("load", str(tmp_path / "docs"), "--store", store, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "3 documents read: 1 stored" in first.stdout and "2 duplicates" in first.stdout
    again = newsmon("load", str(SAMPLE), "--store", store, cwd=tmp_path)
    assert "0 stored" in again.stdout and "1 duplicates" in again.stdout


def test_bad_files_are_named_and_valid_ones_still_stored(tmp_path, store):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SAMPLE, docs / "good.txt")
    (docs / "ru.txt").write_bytes(RU_DUMP.encode("cp1251"))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(200))
    (docs / "truncated.txt").write_text("Headline only\n\n# 28 April 2024 22:40 (UTC +04:00)\n")
    (docs / "undated.txt").write_text("Headline\n\n# sometime last spring\n\nText of the article.\n")
    result = newsmon("load", str(docs), str(tmp_path / "missing.txt"), "--store", store, cwd=tmp_path)
    assert result.returncode == 1
    problems = result.stderr
    assert f"{docs / 'empty.txt'}: rejected: empty file" in problems
    assert f"{docs / 'photo.jpg'}: rejected: binary file" in problems
    assert f"{docs / 'truncated.txt'}: rejected: no article text after the dateline" in problems
    assert f"{docs / 'undated.txt'}: rejected: unparsable dateline" in problems
    assert f"{tmp_path / 'missing.txt'}: rejected: cannot read" in problems
    assert "2 stored" in result.stdout and "5 rejected" in result.stdout
    exported = [json.loads(line) for line in newsmon("export", "--store", store, cwd=tmp_path).stdout.splitlines()]
    assert {r["lang"] for r in exported} == {"en", "ru"}
    russian = next(r for r in exported if r["lang"] == "ru")
    assert russian["title"] == "Президент Азербайджана принял делегацию Всемирного банка"
    assert russian["published_at"] == "2022-01-14T06:51:00+00:00"


def test_jsonl_export_round_trips_between_stores(tmp_path, store, docs):
    assert newsmon("load", str(docs), "--store", store, cwd=tmp_path).returncode == 0
    backup = tmp_path / "backup.jsonl"
    assert newsmon("export", "--store", store, "-o", str(backup), cwd=tmp_path).returncode == 0
    other = f"sqlite:///{tmp_path}/other.db"
    restored = newsmon("load", str(backup), "--store", other, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "2 stored" in restored.stdout
    again = tmp_path / "again.jsonl"
    newsmon("export", "--store", other, "-o", str(again), cwd=tmp_path)
    assert again.read_text() == backup.read_text()


def test_jsonl_without_derived_fields_and_with_bad_lines(tmp_path, store):
    lines = [
        json.dumps({"title": "Bakıda güclü külək əsəcək", "body": "Sabah Bakıda güclü şimal küləyi əsəcək.",
                    "published_at": "2025-11-16T10:00:00+00:00", "site": "apa.az", "lang": "az"},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"title": "x", "body": "y", "published_at": "2025-11-16T10:00:00Z", "colour": "red"}),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = newsmon("load", str(tmp_path / "in.jsonl"), "--store", store, cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'in.jsonl'}:2: rejected: bad article record" in result.stderr
    assert f"{tmp_path / 'in.jsonl'}:3: rejected: bad article record: unknown field(s): colour" in result.stderr
    (record,) = [json.loads(l) for l in newsmon("export", "--store", store, cwd=tmp_path).stdout.splitlines()]
    assert len(record["content_hash"]) == 32


def test_export_filters_and_csv(tmp_path, store, docs):
    newsmon("load", str(docs), "--store", store, cwd=tmp_path)

    def titles(*args: str) -> list[str]:
        out = newsmon("export", "--store", store, *args, cwd=tmp_path).stdout
        return [json.loads(line)["title"][:12] for line in out.splitlines()]

    assert titles() == ["US Secretary", "Президент Аз"]  # newest first
    assert titles("--lang", "ru") == ["Президент Аз"]
    assert titles("--since", "2024-01-01") == ["US Secretary"]
    assert titles("--until", "2024-01-01") == ["Президент Аз"]
    assert titles("--site", "en.apa.az") == ["US Secretary"]
    csv_out = newsmon("export", "--store", store, "--format", "csv", cwd=tmp_path).stdout
    assert csv_out.splitlines()[0].startswith("url,site,lang,title,body,published_at")


def test_stats_counts_by_site_language_and_day(tmp_path, store, docs):
    newsmon("load", str(docs), "--store", store, cwd=tmp_path)
    text = newsmon("stats", "--store", store, cwd=tmp_path).stdout
    assert text.startswith("2 articles in")
    summary = json.loads(newsmon("stats", "--store", store, "--json", cwd=tmp_path).stdout)
    assert summary["total"] == 2
    assert summary["by_lang"] == {"en": 1, "ru": 1}
    assert summary["by_day"] == {"2024-04-28": 1, "2022-01-14": 1}


def test_store_from_environment(tmp_path):
    env_store = f"sqlite:///{tmp_path}/env.db"
    result = subprocess.run(
        [*NEWSMON, "load", str(SAMPLE)], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "NEWSMON_STORE": env_store}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env.db").exists()


def test_store_options_come_from_the_project_settings(tmp_path, store):
    def stats_with(options: str) -> subprocess.CompletedProcess:
        module = f"settings_{len(list(tmp_path.glob('settings_*.py')))}"
        (tmp_path / f"{module}.py").write_text(f"NEWSMON_STORE_OPTIONS = {options}\n")
        env = {"SCRAPY_SETTINGS_MODULE": module, "PYTHONPATH": str(tmp_path)}
        return newsmon("stats", "--store", store, cwd=tmp_path, env=env)

    open_store(store).close()  # stats reads a store, it does not create one
    assert stats_with('{"timeout": 5.0}').returncode == 0
    # An option the backend does not take is named, not a traceback.
    result = stats_with('{"breaker_seconds": 5}')
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "store options do not fit SQLiteStore" in result.stderr and "breaker_seconds" in result.stderr


def test_default_store_is_under_the_working_directory(tmp_path):
    result = newsmon("load", str(SAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "newsmon.db").exists()


def test_unknown_store_scheme_is_a_clear_error(tmp_path):
    result = newsmon("stats", "--store", "postgres://user:secret@db/news", cwd=tmp_path)
    assert result.returncode != 0
    assert "unsupported store URI" in result.stderr and "secret" not in result.stderr


@pytest.mark.parametrize("command", ["stats", "export", "runs"])
def test_read_only_commands_do_not_create_a_store(tmp_path, command):
    result = newsmon(command, "--store", "sqlite:///mistyped.db", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no SQLite store at mistyped.db" in result.stderr
    assert not (tmp_path / "mistyped.db").exists()
