"""``klasterbot demo``: the local playground.

The real Application (every handler, the real storage on a separate demo database) runs against the
in-process Bot API stand-in, on a seeded Kalimantan Selatan cluster. A person types as one of the
seeded users, in the cluster group or in a private chat; each line is a ``:command`` of the
playground or a message. Everything the bot does in reply is printed readably, and a simulated
clock moves forward on ``:time +2h`` so scheduled messages can be seen. No network, no token.

It reads lines from standard input, so ``printf '/start\\n:time +1d\\n' | klasterbot demo`` works as a
script (that is how tests/kernel/test_demo.py drives it); banner and prompt appear only on a terminal.
"""

from bot.devtools.demo.cli import run_demo
from bot.devtools.demo.session import HELP, NO_REPLY, DemoSimulator, Session

__all__ = ["HELP", "NO_REPLY", "DemoSimulator", "Session", "run_demo"]
