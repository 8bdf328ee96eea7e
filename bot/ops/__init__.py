"""What a sysadmin expects: health check, heartbeat, JSON logs, rotated backups (docs/deploy.md)."""

from __future__ import annotations

from importlib import metadata

from bot import __version__

DISTRIBUTION = "klaster-logistik-bot"
HEARTBEAT_S = 60  # how often the running bot beats (bot/ops/heartbeat.py)
ROLE = "run"  # the heartbeat row of `klasterbot run`


def version() -> str:
    """The installed distribution's version (falls back to the package's own when run from a source tree)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return __version__
