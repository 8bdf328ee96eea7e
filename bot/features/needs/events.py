"""What the needs feature tells other features, inside the transaction of the change (so whatever a listener owes
is an outbox row of that same transaction): a need was posted, a pledge moved. A listener returns the messages it
owes (``Out`` rows); the stock feature tells the holders of matching stock and books stock pledges."""

from __future__ import annotations

from collections.abc import Callable

from bot.features.needs.storage import Need, Pledge
from bot.kernel.feature import Point
from bot.kernel.outbox_storage import Out
from bot.kernel.sql import Conn

NeedPosted = Callable[[Conn, Need, int], list[Out]]  # (conn, need, now)
PledgeMoved = Callable[[Conn, Pledge, int], list[Out]]  # (conn, pledge, now)

NEED_POSTED: Point[NeedPosted] = Point("needs.need_posted")
PLEDGE_MOVED: Point[PledgeMoved] = Point("needs.pledge_moved")
