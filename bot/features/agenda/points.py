"""The agenda's extension points (bot/kernel/feature.py explains points and contributions)."""

from __future__ import annotations

from collections.abc import Callable

from bot.features.members.models import Cluster
from bot.kernel.feature import Point
from bot.kernel.sql import Conn

# Re-times a feature's scheduled jobs after the cluster's zone or reminder offsets changed, inside that change's
# transaction: (conn, cluster, now). The work plan contributes its deadline reminders.
Reschedule = Callable[[Conn, Cluster, int], None]
RESCHEDULE: Point[Reschedule] = Point("agenda.reschedule")
