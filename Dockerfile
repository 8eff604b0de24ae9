# newsmon crawler image: `docker run IMAGE` runs one crawl (scrapy crawl apa);
# `docker run IMAGE newsmon schedule` runs the scheduler. Configuration only through
# environment variables: NEWSMON_STORE (mongodb://…), SCRAPY_SETTINGS_MODULE, NEWSMON_*.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SCRAPY_SETTINGS_MODULE=settings.production

RUN groupadd --system newsmon && useradd --system --gid newsmon --home-dir /app --shell /usr/sbin/nologin newsmon

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY newsmon ./newsmon
RUN pip install -c requirements.lock .
# scrapy.cfg and settings/ stay in the working directory: Scrapy finds the project from there.
COPY scrapy.cfg ./
COPY settings ./settings
RUN mkdir -p /app/data && chown newsmon:newsmon /app/data

USER newsmon
VOLUME ["/app/data"]
CMD ["scrapy", "crawl", "apa"]
