"""Records from files are data anyone can write: only http(s) URLs get into the store."""
import json

import pytest

from newsmon.chain import Chain, Rejected
from newsmon.items import Article, from_record
from newsmon.store import open_store
from newsmon.urls import is_web_url
from test_cli import newsmon

GOOD = {"title": "Bakıda güclü külək əsəcək", "body": "Sabah Bakıda güclü şimal küləyi əsəcək.",
        "published_at": "2025-11-16T10:00:00+00:00", "site": "apa.az", "lang": "az"}


@pytest.mark.parametrize(
    "url, web",
    [
        ("https://apa.az/xeber/1", True),
        ("http://report.az/a", True),
        ("HTTPS://APA.AZ/x", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("file:///etc/passwd", False),
        ("ftp://apa.az/x", False),
        ("//apa.az/x", False),
        ("/xeber/1", False),
        ("https://", False),
        ("https://[::1/x", False),
        ("https://apa.az/\nx", False),
    ],
)
def test_is_web_url(url, web):
    assert is_web_url(url) is web


def record(n: int, **fields) -> str:
    return json.dumps({**GOOD, "title": f"{GOOD['title']} {n}", "body": f"{GOOD['body']} {n}.", **fields}, ensure_ascii=False)


def test_load_rejects_records_with_non_web_urls_and_drops_bad_images(tmp_path):
    store = f"sqlite:///{tmp_path}/newsmon.db"
    lines = [
        record(1, url="https://apa.az/xeber/1", image_url="https://apa.az/1.jpg"),
        record(2, url="javascript:alert(1)"),
        record(3, url="data:text/html;base64,PHNjcmlwdD4="),
        record(4, url="https://apa.az/xeber/4", image_url="javascript:alert(4)"),
        record(5, url="ftp://apa.az/5"),
        record(6),  # no URL at all: a document, stored under its content
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = newsmon("load", str(tmp_path / "in.jsonl"), "--store", store, "-j", "1", cwd=tmp_path)
    assert result.returncode == 1
    path = tmp_path / "in.jsonl"
    assert f"{path}:2: rejected: url is not an http(s) URL: 'javascript:alert(1)'" in result.stderr
    assert f"{path}:3: rejected: url is not an http(s) URL: 'data:text/html;base64,PHNjcmlwdD4='" in result.stderr
    assert f"{path}:5: rejected: url is not an http(s) URL: 'ftp://apa.az/5'" in result.stderr
    assert "3 stored" in result.stdout and "3 rejected" in result.stdout
    with open_store(store) as opened:
        stored = {a.title[-1]: a for a in opened.query()}
    assert sorted(stored) == ["1", "4", "6"]
    assert stored["1"].image_url == "https://apa.az/1.jpg"
    assert stored["4"].image_url == "" and stored["4"].url == "https://apa.az/xeber/4"


def test_the_chain_counts_what_it_refused(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/newsmon.db") as store:
        chain = Chain({"NEWSMON_SPOOL_DIR": str(tmp_path / "spool")}, store)
        with pytest.raises(Rejected) as rejected:
            chain.process(from_record({**GOOD, "url": "javascript:alert(1)"}))
        assert rejected.value.reason == "bad_url"
        chain.process(Article(**{**from_record(GOOD).__dict__, "url": "https://apa.az/1", "image_url": "data:image/png;base64,AA"}))
        chain.close()
        assert chain.stats.get_value("newsmon/clean/bad_url") == 1
        assert chain.stats.get_value("newsmon/clean/bad_image_url") == 1
        assert [a.image_url for a in store.query()] == [""]
