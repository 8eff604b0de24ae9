"""One spider per site profile (newsmon.sites.REGISTRY): `scrapy crawl apa`, `scrapy crawl report`, ...

The classes are made from the profiles (newsmon.spiders.base.spider_for), so adding a site
module adds its spider; `scrapy list` shows them all.
"""
from newsmon.sites import REGISTRY
from newsmon.spiders.base import NewsSpider, spider_for

SPIDERS: dict[str, type[NewsSpider]] = {name: spider_for(site, __name__) for name, site in REGISTRY.items()}
globals().update({spider.__name__: spider for spider in SPIDERS.values()})
