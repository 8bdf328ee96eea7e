"""Klaster Logistik Bot: a Telegram bot for a regional disaster logistics cluster."""

__version__ = "0.1.0"
