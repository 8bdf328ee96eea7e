"""Running the bot's command line as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def run_cli(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot demo`` as a person would run it, with the script piped to standard input."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KLASTER_", "TELEGRAM_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "demo.db"), *args],
        input=script,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,  # no stray .env from the checkout
        timeout=120,
    )
