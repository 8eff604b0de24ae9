"""A tiny news spider for the monitoring tests: a listing page linking to article pages.

Selectors are APA-like: `h1`, `.date`, `.article-body p`, `.category`, `img.main`. The tests
serve pages from a temporary directory and run `scrapy crawl fakenews -a start_url=...`
with `-s SPIDER_MODULES=monitoring_spider` (this directory on PYTHONPATH).
"""
from __future__ import annotations

import scrapy

from newsmon.items import Article


class FakeNewsSpider(scrapy.Spider):
    name = "fakenews"

    def __init__(self, start_url: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start_url]

    def parse(self, response):
        yield from response.follow_all(css="a.article", callback=self.parse_article)

    def parse_article(self, response):
        yield Article(
            url=response.url,
            site="fakenews",
            lang="en",
            title=response.css("h1::text").get(default=""),
            dateline=response.css(".date::text").get(default=""),
            body="\n\n".join(response.css(".article-body p::text").getall()),
            category=response.css(".category::text").get(default=""),
            # Absolute, as the schema wants and every outlet's parser gives it (the chain drops others).
            image_url=response.urljoin(src) if (src := response.css("img.main::attr(src)").get()) else "",
        )
