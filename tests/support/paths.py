"""Where the checkout is, for tests that read docs/ or README.md or run ``python -m bot``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
