"""Settings from the environment and an optional ``.env`` file.

Kept dependency-free on purpose: the parser reads ``KEY=value`` lines, which is all ``.env.example``
documents, so operators never need another package to configure the bot.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.sql import is_postgresql_url

DEFAULT_API_BASE = "https://api.telegram.org"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOCALES = ("id", "en")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the operator."""


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_base_url: str = DEFAULT_API_BASE
    db_path: Path = Path("data/klaster.db")
    # KLASTER_DB=postgresql://… selects the PostgreSQL engine (then db_path keeps its default and is not the data).
    database_url: str | None = None
    timezone: str = "Asia/Makassar"
    locale: str = "id"
    log_level: str = "INFO"
    log_format: str = "text"  # "text" or "json" (one object per line, bot/ops/logs.py)
    tick_seconds: float = 30.0  # how often scheduled work is checked (exact-time jobs fire in between)
    # Webhook mode (`klasterbot run --webhook URL`, bot/kernel/webhook.py): the public HTTPS URL Telegram posts to, where
    # the bot's own HTTP server listens, the path it serves (default: the URL's path) and the secret Telegram sends.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    webhook_path: str | None = None
    webhook_secret: str | None = None

    def __post_init__(self) -> None:
        # Settings(db_path="postgresql://…") (the test harness hands its database this way) selects PostgreSQL.
        if self.database_url is None and is_postgresql_url(self.db_path):
            object.__setattr__(self, "database_url", self.db_path)
            object.__setattr__(self, "db_path", Path("data/klaster.db"))

    @property
    def database(self) -> str:
        """What ``Database`` opens: the PostgreSQL URL, else the SQLite file's path."""
        return self.database_url or str(self.db_path)

    @property
    def is_postgresql(self) -> bool:
        return self.database_url is not None

    @property
    def bot_base_url(self) -> str:
        """Base for method calls; PTB appends the token and the method name."""
        return f"{self.api_base_url.rstrip('/')}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.api_base_url.rstrip('/')}/file/bot"

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (see .env.example).")
        if not _TOKEN_RE.match(self.token):
            raise ConfigError("TELEGRAM_BOT_TOKEN looks malformed: expected '<digits>:<35 characters>'.")
        return self.token

    def require_webhook_secret(self) -> str:
        """Telegram's rule for ``secret_token``: 1-256 characters of A-Z, a-z, 0-9, ``_`` and ``-``."""
        if not self.webhook_secret:
            raise ConfigError("KLASTER_WEBHOOK_SECRET is not set (required in webhook mode; 1-256 of A-Z a-z 0-9 _ -).")
        if not _SECRET_RE.match(self.webhook_secret):
            raise ConfigError("KLASTER_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-'.")
        return self.webhook_secret


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse ``KEY=value`` lines; ``#`` comments, ``export`` prefixes and quotes are tolerated."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Environment variables win over ``.env``; invalid zone or locale raises ConfigError."""
    merged: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        merged.update(parse_dotenv(dotenv.read_text(encoding="utf-8")))
    merged.update(os.environ if env is None else env)
    tz = merged.get("KLASTER_TZ") or "Asia/Makassar"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"KLASTER_TZ={tz!r} is not a known time zone.") from exc
    locale = merged.get("KLASTER_LOCALE") or "id"
    if locale not in LOCALES:
        raise ConfigError(f"KLASTER_LOCALE={locale!r} is not supported (choose one of {', '.join(LOCALES)}).")
    log_format = (merged.get("KLASTER_LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ConfigError(f"KLASTER_LOG_FORMAT={log_format!r} is not supported (choose text or json).")
    db = merged.get("KLASTER_DB") or "data/klaster.db"
    url = db if is_postgresql_url(db) else None
    return Settings(
        token=merged.get("TELEGRAM_BOT_TOKEN") or None,
        api_base_url=merged.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE,
        db_path=Path("data/klaster.db" if url else db),
        database_url=url,
        timezone=tz,
        locale=locale,
        log_level=(merged.get("KLASTER_LOG_LEVEL") or "INFO").upper(),
        log_format=log_format,
        tick_seconds=_positive_float(merged.get("KLASTER_TICK_S"), 30.0),
        webhook_url=merged.get("KLASTER_WEBHOOK_URL") or None,
        webhook_listen=merged.get("KLASTER_WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=_port(merged.get("KLASTER_WEBHOOK_PORT"), 8080),
        webhook_path=merged.get("KLASTER_WEBHOOK_PATH") or None,
        webhook_secret=merged.get("KLASTER_WEBHOOK_SECRET") or None,
    )


def _port(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"KLASTER_WEBHOOK_PORT={raw!r} is not a port number.") from exc
    if not 0 < value < 65536:
        raise ConfigError(f"KLASTER_WEBHOOK_PORT={raw!r} is not a port number (1-65535).")
    return value


def _positive_float(raw: str | None, default: float) -> float:
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"expected a number of seconds, got {raw!r}.") from exc
    return value if value > 0 else default
