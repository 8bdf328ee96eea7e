# Klaster Logistik Bot: slim image, non-root, catalogues compiled at build, database on /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KLASTER_DB=/data/klaster.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY locales ./locales
RUN pip install --no-cache-dir -e . \
    && python -m bot.i18n_tools compile \
    && useradd --create-home --uid 10001 klaster \
    && mkdir -p /data \
    && chown klaster:klaster /data

USER 10001
VOLUME ["/data"]
CMD ["klasterbot", "run"]
