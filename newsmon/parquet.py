"""Articles as Parquet, for analytics (DuckDB, pandas, Spark read it directly).

Column types follow the article schema (newsmon/schema/article.schema.json) through the one
place that says which fields are times and which are lists, newsmon.items: times are
`timestamp[us, tz=UTC]`, lists `list<string>`, every other field a string. Rows are written in
row groups of `ROW_GROUP_SIZE`, so memory stays flat for any export.
"""
from __future__ import annotations

from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from newsmon.items import ARTICLE_FIELDS, DATETIME_FIELDS, LIST_FIELDS, Article

ROW_GROUP_SIZE = 10_000


def arrow_type(name: str) -> pa.DataType:
    if name in DATETIME_FIELDS:
        return pa.timestamp("us", tz="UTC")
    if name in LIST_FIELDS:
        return pa.list_(pa.string())
    return pa.string()


# published_at is required by the schema, yet nullable here like fetched_at: Parquet readers
# treat a non-nullable column as a promise, and a store may hold older records without it.
ARTICLE_SCHEMA = pa.schema([pa.field(name, arrow_type(name)) for name in ARTICLE_FIELDS])


class ArticleParquetExporter:
    """The item exporter interface (`start_exporting`, `export_item`, `finish_exporting`) over a
    binary stream, as `newsmon export` uses every exporter."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.writer: pq.ParquetWriter | None = None
        self.columns: dict[str, list[Any]] = {name: [] for name in ARTICLE_FIELDS}

    def start_exporting(self) -> None:
        self.writer = pq.ParquetWriter(self.stream, ARTICLE_SCHEMA, compression="zstd")

    def export_item(self, article: Article) -> None:
        for name, values in self.columns.items():
            values.append(getattr(article, name))
        if len(self.columns["url"]) >= ROW_GROUP_SIZE:
            self._write_rows()

    def finish_exporting(self) -> None:
        self._write_rows()
        assert self.writer is not None, "start_exporting was not called"
        self.writer.close()

    def _write_rows(self) -> None:
        if self.columns["url"]:
            assert self.writer is not None, "start_exporting was not called"
            self.writer.write_table(pa.table(self.columns, schema=ARTICLE_SCHEMA))
            self.columns = {name: [] for name in ARTICLE_FIELDS}
