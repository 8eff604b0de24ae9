"""Scrapy settings profiles: base (shared), dev, production, bench. See scrapy.cfg."""
