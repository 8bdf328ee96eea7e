"""Where the time of a writing command goes: cProfile over /butuh (with a matching offer) and the pledge press.

Both run sequentially through the real Application and the stand-in (as ``python -m bench`` does), on a small
cluster; the report is the top functions by own time and by cumulative time, all threads' work that runs on
the event loop (the database worker's SQL shows up as the wait in ``Database.write``/``read``).

Run: ``python -m bench.profile [--updates N] [--top K]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import itertools
import pstats
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

from bench.measure import Request, settle
from bench.targets import BotWorld, start_bot


def _pledge(world: BotWorld, lane: int, need_id: int) -> Request:
    user = world.members[1 + lane % (len(world.members) - 1)]
    chat = {"id": user.id, "type": "private", "first_name": user.first_name}
    raw = {"callback_query": {"id": "cb", "from": user.json(), "chat_instance": "1", "data": f"pl:q:{need_id}:1",
                              "message": {"message_id": 1, "date": 1, "chat": chat}}}  # fmt: skip
    return Request(raw, user.id, "Tersimpan")


async def _profile(updates: int, top: int, scratch: Path) -> str:
    out = io.StringIO()
    async with AsyncExitStack() as stack:
        world = await start_bot(stack, scratch / "profile.db", 2, 20)
        holder = world.members[0]
        await world.harness.sim.send(holder, holder.id, "/tawar 100000000 buah genset Bjm")
        await world.harness.sim.send(holder, holder.id, "/butuh 100000000 lembar terpal HSS")
        amounts = itertools.count(100)

        def butuh(n: int) -> Request:
            user = world.members[1 + n % (len(world.members) - 1)]
            return world.request(user, user.id, f"/butuh {next(amounts)} buah genset HSS", "Tersimpan sebagai")

        for name, make in (("/butuh N buah genset HSS (matching offer)", butuh),
                           ("pledge press pl:q:<need>:1", lambda n: _pledge(world, n, 1))):  # fmt: skip
            target = world.target
            for n in range(20):  # warm
                await target.app.process_update(target.update(make(n)))
            await settle(target)
            target.reset()
            profiler = cProfile.Profile()
            profiler.enable()
            for n in range(updates):
                await target.app.process_update(target.update(make(n)))
            await settle(target)
            profiler.disable()
            target.reset()
            for order in ("tottime", "cumulative"):
                buffer = io.StringIO()
                stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order)
                stats.print_stats(top)
                body = buffer.getvalue()
                body = body[body.find("   ncalls") :]
                out.write(f"## {name}: {updates} updates, top {top} by {order}\n\n```\n{body.rstrip()}\n```\n\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="klaster-profile-") as scratch:
        print(asyncio.run(_profile(args.updates, args.top, Path(scratch))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
