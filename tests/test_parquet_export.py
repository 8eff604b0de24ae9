"""`newsmon export --format parquet`: the schema's types, read back by DuckDB, on both stores."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from newsmon.items import ARTICLE_FIELDS
from newsmon.parquet import ARTICLE_SCHEMA
from newsmon.store import open_store
from test_cli import newsmon
from test_store_contract import article

SCHEMA = json.loads((Path(__file__).parents[1] / "newsmon/schema/article.schema.json").read_text())


def test_the_columns_follow_the_schema():
    assert ARTICLE_SCHEMA.names == list(ARTICLE_FIELDS) == list(SCHEMA["properties"])
    for name, spec in SCHEMA["properties"].items():
        arrow = str(ARTICLE_SCHEMA.field(name).type)
        if spec.get("format") == "date-time":
            assert arrow == "timestamp[us, tz=UTC]", name
        elif spec.get("type") == "array":
            assert arrow == "list<item: string>", name
        else:
            assert arrow == "string", name


def test_duckdb_reads_the_export_with_its_types_and_values(empty_store_uri, tmp_path):
    articles = [article(1), article(2, site="az.apa.az", lang="az"), article(3)]
    articles[1].labels = ["FOTO", "YENİLƏNİB 2"]
    articles[1].title = "Bakıda güclü külək əsəcək"
    with open_store(empty_store_uri) as store:
        store.upsert_many(articles)
    output = tmp_path / "articles.parquet"
    result = newsmon("export", "--store", empty_store_uri, "--format", "parquet", "-o", str(output), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exported 3 articles" in result.stderr
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    types = dict(db.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{output}')").fetchall())
    assert types["published_at"] == types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["tags"] == types["authors"] == types["labels"] == "VARCHAR[]"
    assert types["title"] == types["content_hash"] == "VARCHAR"
    rows = db.execute(f"SELECT url, title, labels, tags, published_at, fetched_at FROM '{output}' ORDER BY url").fetchall()
    expected = sorted(articles, key=lambda a: a.url)
    assert [row[0] for row in rows] == [a.url for a in expected]
    assert rows[1][1:4] == ("Bakıda güclü külək əsəcək", ["FOTO", "YENİLƏNİB 2"], ["diplomacy", "tag2"])
    assert rows[0][4] == expected[0].published_at and rows[0][4].utcoffset().total_seconds() == 0
    assert rows[0][5] == datetime(2024, 4, 29, 12, 0, tzinfo=timezone.utc)
    (by_lang,) = db.execute(f"SELECT count(*) FILTER (WHERE lang = 'az') FROM '{output}'").fetchall()
    assert by_lang == (1,)


def test_parquet_and_after_together_write_the_changes(empty_store_uri, tmp_path):
    with open_store(empty_store_uri) as store:
        store.upsert_many([article(1), article(2)])
        first = list(store.changes(0))[0].seq
    output = tmp_path / "changes.parquet"
    result = newsmon("export", "--store", empty_store_uri, "--format", "parquet", "--after", str(first), "-o", str(output), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert duckdb.connect().execute(f"SELECT url FROM '{output}'").fetchall() == [(article(2).url,)]


def test_an_empty_export_is_a_readable_file(tmp_path):
    empty_store_uri = f"sqlite:///{tmp_path}/newsmon.db"
    open_store(empty_store_uri).close()
    output = tmp_path / "empty.parquet"
    assert newsmon("export", "--store", empty_store_uri, "--format", "parquet", "-o", str(output), cwd=tmp_path).returncode == 0
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{output}'").fetchall() == [(0,)]
