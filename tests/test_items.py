"""The Article item, its JSON Schema and the feed exporters stay in step."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from itemadapter import ItemAdapter

from newsmon.exporters import ArticleCsvExporter, ArticleJsonLinesExporter
from newsmon.fingerprint import content_hash
from newsmon.items import ARTICLE_FIELDS, Article, from_record, to_record

SCHEMA = json.loads((Path(__file__).parents[1] / "newsmon/schema/article.schema.json").read_text())


def make_article(**overrides) -> Article:
    values = dict(
        url="https://en.apa.az/foreign-policy/us-secretary-of-state-makes-call-to-azerbaijani-president-439383",
        site="en.apa.az",
        lang="en",
        title="US Secretary of State makes call to Azerbaijani President",
        body="First paragraph.\n\nSecond paragraph.",
        published_at=datetime(2024, 4, 28, 18, 40, tzinfo=timezone.utc),
        dateline="28 April 2024 22:40 (UTC +04:00)",
        category="Foreign policy",
        tags=["Antony Blinken", "Ilham Aliyev"],
        authors=["APA"],
        image_url="https://en.apa.az/storage/news/2024/april/28/big/x.jpg",
        image_caption="Ilham Aliyev, Antony Blinken",
        source="crawl",
        fetched_at=datetime(2024, 4, 28, 19, 0, tzinfo=timezone.utc),
    )
    values.update(overrides)
    article = Article(**values)
    article.content_hash = content_hash(article.title, article.body)
    return article


def test_schema_properties_are_the_item_fields():
    assert list(SCHEMA["properties"]) == list(ARTICLE_FIELDS)
    assert set(SCHEMA["required"]) <= set(ARTICLE_FIELDS)


def test_itemadapter_sees_every_field():
    adapter = ItemAdapter(make_article())
    assert set(adapter.field_names()) == set(ARTICLE_FIELDS)
    assert adapter["title"].startswith("US Secretary")


def test_record_validates_against_schema_and_keeps_the_offset():
    record = to_record(make_article())
    jsonschema.validate(record, SCHEMA)
    assert record["published_at"] == "2024-04-28T18:40:00+00:00"


def test_record_round_trip_is_lossless():
    article = make_article(published_at=datetime(2024, 4, 28, 22, 40, tzinfo=timezone(timedelta(hours=4))))
    again = from_record(json.loads(json.dumps(to_record(article))))
    assert again == article
    assert again.published_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "record, message",
    [
        ({"title": "x", "colour": "red"}, "unknown field"),
        ({"published_at": "yesterday"}, "published_at"),
        ({"tags": "one,two"}, "tags"),
        ({"title": 5}, "title"),
    ],
)
def test_bad_records_are_rejected_with_the_field_named(record, message):
    with pytest.raises(ValueError, match=message):
        from_record(record)


def test_jsonlines_exporter_writes_schema_fields_with_offsets():
    stream = io.BytesIO()
    exporter = ArticleJsonLinesExporter(stream)
    exporter.start_exporting()
    exporter.export_item(make_article())
    exporter.finish_exporting()
    record = json.loads(stream.getvalue())
    assert list(record) == list(ARTICLE_FIELDS)
    assert record["published_at"] == "2024-04-28T18:40:00+00:00"
    assert record["fetched_at"] == "2024-04-28T19:00:00+00:00"
    jsonschema.validate(record, SCHEMA)


def test_csv_exporter_has_a_header_of_schema_fields():
    stream = io.BytesIO()
    exporter = ArticleCsvExporter(stream)
    exporter.start_exporting()
    exporter.export_item(make_article())
    exporter.finish_exporting()
    header, row = csv.reader(io.StringIO(stream.getvalue().decode()))
    assert header == list(ARTICLE_FIELDS)
    assert row[header.index("published_at")] == "2024-04-28T18:40:00+00:00"
    assert row[header.index("body")] == "First paragraph.\n\nSecond paragraph."
