"""Spiders decide where to go; page parsing lives in newsmon.sites."""
