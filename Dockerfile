# Klaster Logistik Bot: slim image, non-root, catalogues compiled at build, database on /data.
# Base image pinned by exact version tag and by the digest of its multi-architecture index (docs/deploy.md,
# "Reproducible installs"); dependencies installed from requirements.lock (`make lock`).
FROM python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KLASTER_DB=/data/klaster.db

# PostgreSQL's client programs (pg_dump, pg_restore, psql) for `klasterbot backup`/`restore` on PostgreSQL
# (KLASTER_DB=postgresql://…); major version 15 as the compose file's server (pg_dump refuses a newer server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client=15+248+deb12u1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY locales ./locales
RUN pip install --no-cache-dir --no-deps -e . \
    && python -m bot.kernel.i18n_tools compile \
    && useradd --create-home --uid 10001 klaster \
    && mkdir -p /data /backups \
    && chown klaster:klaster /data /backups

USER 10001
VOLUME ["/data"]
# Healthy: database current, heartbeat and last Telegram success at most 5 minutes old (docs/deploy.md, "Health").
# Docker reserves exit code 2, so anything but 0 is reported as 1.
HEALTHCHECK --interval=60s --timeout=30s --start-period=90s --retries=3 CMD ["sh", "-c", "klasterbot health || exit 1"]
# Webhook mode only (KLASTER_WEBHOOK_URL, KLASTER_WEBHOOK_LISTEN=0.0.0.0): the bot's webhook server and /healthz.
EXPOSE 8080
CMD ["klasterbot", "run"]
