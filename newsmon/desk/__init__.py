"""The analyst's desk: `newsmon serve`'s web pages and JSON API over a store.

- `app.py` — the FastAPI application: routes for pages and API, errors as one clear message.
- `views.py` — what each page shows, built from the store once for both the page and the API.
- `params.py` — request parameters read and checked (a bad one is a 400 naming it).
- `security.py` — loopback or token, the token gate, the security headers, safe links.
- `chart.py` — the articles-per-day chart's geometry, drawn as inline SVG by the Sites page.
- `templates/`, `static/` — Jinja2 templates (autoescaped) and the stylesheet; no script at all.
"""
from newsmon.desk.app import create_app

__all__ = ["create_app"]
