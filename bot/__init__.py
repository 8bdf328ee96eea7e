"""Klaster Logistik Bot: a Telegram bot for a regional disaster logistics cluster."""

__version__ = "0.1.0"

import os as _os

# Opt in to python-telegram-bot's future behaviour (timedelta durations) so no deprecation noise.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
