"""Feed exporters that keep time zones: ISO 8601 with offset, exactly the schema's fields.

Scrapy's JSON encoder writes datetimes as `YYYY-MM-DD HH:MM:SS`, dropping the offset; these
exporters serialize every datetime with `isoformat_utc` first. Used by `scrapy crawl -O`
(FEED_EXPORTERS in settings/base.py) and by `newsmon export`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

from newsmon.items import ARTICLE_FIELDS, isoformat_utc


class IsoDatetimeMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fields_to_export", list(ARTICLE_FIELDS))
        kwargs.setdefault("encoding", "utf-8")
        super().__init__(*args, **kwargs)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, datetime):
            return isoformat_utc(value)
        return super().serialize_field(field, name, value)  # type: ignore[misc]


class ArticleJsonLinesExporter(IsoDatetimeMixin, JsonLinesItemExporter):
    pass


class ArticleJsonExporter(IsoDatetimeMixin, JsonItemExporter):
    pass


class ArticleCsvExporter(IsoDatetimeMixin, CsvItemExporter):
    pass


FEED_EXPORTERS = {
    "jsonlines": "newsmon.exporters.ArticleJsonLinesExporter",
    "jsonl": "newsmon.exporters.ArticleJsonLinesExporter",
    "json": "newsmon.exporters.ArticleJsonExporter",
    "csv": "newsmon.exporters.ArticleCsvExporter",
}
