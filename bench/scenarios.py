"""The scenarios, in the order they run. To add one, write ``async def name(bench) -> list[Result]``
(docstring = description) and append it to ``SCENARIOS``. Throughput scenarios on the bot use
``_both_modes``, which interleaves them with the echo floor so ratios hold on a busy machine."""

from __future__ import annotations

from bench import memory
from bench.measure import CONCURRENT, MODES, SEQUENTIAL, Request, Target, Workload, measure, measure_paired
from bench.suite import Bench, Budget, Result, Scenario
from bench.targets import BotWorld, text_request

FLOOR = "echo_floor"
ECHO_TEXT = "Stok beras di gudang Banjarbaru aman"
KAPASITAS = "/kapasitas kendaraan perahu karet 4 HSS"
# DESIGN.md "Budgets": every bot update writes (the pre-handler claims the update id) and reads SQLite.
# The in-process p99 limit applies to sequential runs: with 50 chats in flight the loop is saturated
# and latency is queueing (about lanes / throughput, Little's law), which the throughput ratio covers.
THROUGHPUT_BUDGET = Budget("throughput >= 1/3 of floor", "ratios.throughput", ">=", round(1 / 3, 3))
UPDATE_BUDGETS = {
    SEQUENTIAL: [THROUGHPUT_BUDGET, Budget("p99 < 10 ms", "metrics.p99_ms", "<", 10.0)],
    CONCURRENT: [THROUGHPUT_BUDGET],
}
MEMORY_BUDGET = [Budget("idle RSS < 60 MB (57.2 MiB)", "metrics.rss_mib", "<", round(60e6 / 2**20, 1))]


def _doc(fn: Scenario) -> str:
    return " ".join((fn.__doc__ or "").split())


async def _both_modes(bench: Bench, fn: Scenario, workload: Workload) -> list[Result]:
    """Measure ``workload`` on our bot in both modes, each interleaved with the echo floor."""
    world, echo = await bench.bot(), await _echo_workload(bench)
    cfg = bench.config
    results = []
    for mode in MODES:
        paired = await measure_paired(world.target, workload, echo[0], echo[1], mode, cfg.seconds, cfg.warmup_s,
                                      cfg.slices)  # fmt: skip
        results.append(Result.from_paired(fn.__name__, _doc(fn), paired, f"{FLOOR}/{mode}", UPDATE_BUDGETS[mode]))
    return results


async def _echo_workload(bench: Bench) -> tuple[Target, Workload]:
    """The floor's workload: a text message in each member's private chat (same chats as the bot's lanes)."""
    target = await bench.echo()
    users = (await bench.bot()).members
    lanes = bench.config.concurrency

    def make(lane: int, seq: int) -> Request:
        user = users[(lane + seq * lanes) % len(users)]
        target.sim.private_chat(user)
        return text_request(target.sim, user, user.id, ECHO_TEXT, ECHO_TEXT)

    return target, Workload(make, lanes)


def _private(world: BotWorld, text: str, expect: str) -> Workload:
    """Each lane owns the private chats of members lane, lane + lanes, ...; sequential runs cycle them all."""
    lanes, users = len(world.groups), world.members

    def make(lane: int, seq: int) -> Request:
        user = users[(lane + seq * lanes) % len(users)]
        return world.request(user, user.id, text, expect)

    return Workload(make, lanes)


def _group(world: BotWorld, text: str, expect: str) -> Workload:
    """Each lane owns one cluster group; the members take turns to send the command there."""
    lanes, users = len(world.groups), world.members

    def make(lane: int, seq: int) -> Request:
        return world.request(users[(lane + seq * lanes) % len(users)], world.groups[lane], text, expect)

    return Workload(make, lanes)


async def echo_floor(bench: Bench) -> list[Result]:
    """Bare python-telegram-bot Application, one MessageHandler replying with the text (private chats).
    Absolute reference; every bot scenario is also interleaved with slices of this floor."""
    target, workload = await _echo_workload(bench)
    cfg = bench.config
    return [
        Result.from_run(FLOOR, _doc(echo_floor), await measure(target, workload, mode, cfg.seconds, cfg.warmup_s))
        for mode in MODES
    ]


async def start_private(bench: Bench) -> list[Result]:
    """/start in a member's private chat (pre-handler hand-off, greeting)."""
    world = await bench.bot()
    return await _both_modes(bench, start_private, _private(world, "/start", "/bantuan"))


async def bantuan_group(bench: Bench) -> list[Result]:
    """/bantuan in a cluster group (help generated from the registered commands)."""
    world = await bench.bot()
    return await _both_modes(bench, bantuan_group, _group(world, "/bantuan", "/kapasitas"))


async def kapasitas_write(bench: Bench) -> list[Result]:
    """/kapasitas kendaraan perahu karet 4 HSS by an approved member in private: resolves the member,
    inserts a capacity row and touches the organisation in one transaction, then confirms."""
    world = await bench.bot()
    return await _both_modes(bench, kapasitas_write, _private(world, KAPASITAS, "Tersimpan"))


async def anggota_group(bench: Bench) -> list[Result]:
    """/anggota in a cluster group with 100 approved organisations: first directory page of 10."""
    world = await bench.bot()
    pages = -(-bench.config.members // 10)
    return await _both_modes(bench, anggota_group, _group(world, "/anggota", f"Halaman 1 dari {pages}"))


# 40 % writes; group commands go to the lane's own cluster group.
MIX = (("private", KAPASITAS, "Tersimpan"), ("private", "/start", "/bantuan"), ("group", "/bantuan", "/kapasitas"),
       ("private", KAPASITAS, "Tersimpan"), ("group", "/anggota", "Halaman 1"))  # fmt: skip


async def mixed(bench: Bench) -> list[Result]:
    """100 members cycling through /kapasitas (write, 40 %), /start, /bantuan and /anggota (20 % each);
    private commands in their own chats, group commands in their lane's cluster group."""
    world = await bench.bot()
    lanes, users = len(world.groups), world.members

    def make(lane: int, seq: int) -> Request:
        where, text, expect = MIX[(lane + seq) % len(MIX)]
        user = users[(lane + seq * lanes) % len(users)]
        return world.request(user, user.id if where == "private" else world.groups[lane], text, expect)

    return await _both_modes(bench, mixed, Workload(make, lanes))


# ---- the writing commands with inbox claim and outbox (issue #13) -----------------------------------------


async def _offer_holder(bench: Bench) -> tuple[BotWorld, list]:
    """The first member holds an open genset offer (so every /butuh matches and notifies it) and an open need
    (pledged against); the others are the lanes' members."""
    world = await bench.bot()
    holder, others = world.members[0], world.members[1:]
    if not getattr(world.harness, "bench_writes_seeded", False):
        await world.harness.sim.send(holder, holder.id, "/tawar 100000000 buah genset Bjm")
        await world.harness.sim.send(holder, holder.id, "/butuh 100000000 lembar terpal HSS")
        world.harness.bench_writes_seeded = True  # type: ignore[attr-defined]
        world.target.reset()
    return world, others


def _lanes(world: BotWorld, users: list, make_one: object) -> Workload:
    lanes = min(len(world.groups), len(users))
    per_lane = len(users) // lanes  # lane l owns users l, l + lanes, ...: no two lanes share a chat

    def make(lane: int, seq: int) -> Request:
        user = users[lane + (seq % per_lane) * lanes]
        return make_one(user, seq)  # type: ignore[operator,no-any-return]

    return Workload(make, lanes)


async def butuh_write(bench: Bench) -> list[Result]:
    """/butuh 120 buah genset HSS in private: the need, its card in the group, the match against an open offer
    and the holder's notice, the answer — one transaction with the update's claim and the outbox rows, then the
    card, the match list, the notice and the answer delivered through the outbox."""
    world, users = await _offer_holder(bench)
    workload = _lanes(world, users, lambda user, seq: world.request(user, user.id, f"/butuh {100 + seq % 900} buah "
                                                                    "genset HSS", "Tersimpan sebagai"))  # fmt: skip
    return await _both_modes(bench, butuh_write, workload)


async def stok_report(bench: Bench) -> list[Result]:
    """/stok beras 2000 kg gudang Posko N Banjarbaru in private: the stock line and its answer in one
    transaction (claim + outbox), the answer delivered."""
    world, users = await _offer_holder(bench)
    workload = _lanes(world, users, lambda user, seq: world.request(
        user, user.id, f"/stok beras {2000 + seq % 5000} kg gudang Posko {seq % 7} Banjarbaru", "Tersimpan"))  # fmt: skip
    return await _both_modes(bench, stok_report, workload)


async def pledge_press(bench: Bench) -> list[Result]:
    """A "1" amount button (pl:q:<need>:1) pressed in private: the pledge, the answer, the need card's edit
    (coalesced per card) and the owner's notice in one transaction, then delivered."""
    world, users = await _offer_holder(bench)
    need_id = 1

    def one(user: object, seq: int) -> Request:
        chat = {"id": user.id, "type": "private", "first_name": "x"}  # type: ignore[attr-defined]
        raw = {"callback_query": {"id": f"cb{seq}", "from": user.json(), "chat_instance": "1",  # type: ignore[attr-defined]
                                  "data": f"pl:q:{need_id}:1",
                                  "message": {"message_id": 1, "date": 1, "chat": chat}}}  # fmt: skip
        return Request(raw, user.id, "Tersimpan")  # type: ignore[attr-defined]

    return await _both_modes(bench, pledge_press, _lanes(world, users, one))


async def memory_idle(bench: Bench) -> list[Result]:
    """Resident set size (VmRSS) of an idle started Application in a fresh process: our bot on an empty
    file database vs a bare python-telegram-bot Application with the same stand-in (floor)."""
    floor, bot = await memory.measure_pair(bench.scratch, bench.config.memory_runs)
    desc = _doc(memory_idle)
    return [
        Result("memory_floor", "idle", desc, floor),
        Result("memory_idle", "idle", desc, bot, floor="memory_floor/idle", budgets=MEMORY_BUDGET),
    ]


SCENARIOS: list[Scenario] = [
    echo_floor,
    start_private,
    bantuan_group,
    kapasitas_write,
    anggota_group,
    mixed,
    butuh_write,
    stok_report,
    pledge_press,
    memory_idle,
]
