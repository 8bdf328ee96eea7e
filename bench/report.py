"""Machine description, the printed table, ``bench/out/results.json`` and ``bench/RESULTS.md``."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.suite import Result

SCHEMA = "klaster-bench/1"
LIBRARIES = ("python-telegram-bot", "babel", "APScheduler", "httpx", "tzdata")
KEEP_MARKER = "<!-- Hand-written notes below this line are kept when the file is regenerated. -->"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def machine() -> dict[str, Any]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
        "libraries": versions,
        "git": {"commit": _git("rev-parse", "--short", "HEAD"), "dirty": bool(_git("status", "--porcelain"))},
    }


def document(
    results: list[Result], config: dict[str, Any], info: dict[str, Any], extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "config": config,
        "run": extra,
        "results": [r.json() for r in results],
    }


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _budget(result: Result) -> str:
    if not result.checks:
        return ""
    failed = [c["name"] for c in result.checks if not c["ok"]]
    return "ok" if not failed else "FAIL: " + "; ".join(failed)


HEADERS = ("scenario", "mode", "updates/s", "× floor", "× floor w/o stand-in", "p50 ms", "p99 ms", "p99 × floor",
           "CPU × floor", "Bot API calls/upd", "DB hand-offs/upd", "stand-in µs/upd", "errors", "budget")  # fmt: skip


def rows(results: list[Result]) -> list[tuple[str, ...]]:
    out = []
    for r in results:
        m = r.metrics
        if "throughput_per_s" not in m:
            continue
        floor_or = "1 (floor)" if r.floor is None else None
        out.append((
            r.scenario, r.mode, _fmt(m["throughput_per_s"], 0), floor_or or _fmt(r.ratios.get("throughput")),
            floor_or or _fmt(r.ratios.get("throughput_excl_standin")), _fmt(m["p50_ms"], 3), _fmt(m["p99_ms"], 3),
            floor_or or _fmt(r.ratios.get("p99")), floor_or or _fmt(r.ratios.get("cpu")),
            _fmt(m.get("api_calls_per_update")), _fmt(m["db_handoffs_per_update"]), _fmt(m["api_us_per_update"], 0), str(int(m["errors"])), _budget(r),
        ))  # fmt: skip
    return out


def memory_rows(results: list[Result]) -> list[tuple[str, ...]]:
    out = []
    for r in results:
        if "rss_mib" in r.metrics:
            ratio = "1 (floor)" if r.floor is None else _fmt(r.ratios.get("rss"))
            spread = f"{_fmt(r.metrics['min_mib'], 1)}–{_fmt(r.metrics['max_mib'], 1)}"
            out.append((r.scenario, _fmt(r.metrics["rss_mib"], 1), spread, ratio, _budget(r)))
    return out


MEMORY_HEADERS = ("memory", "RSS MiB (median)", "range", "× floor", "budget")


def text_table(headers: tuple[str, ...], body: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    lines = [line, "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


def markdown_table(headers: tuple[str, ...], body: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def printable(results: list[Result]) -> str:
    parts = [text_table(HEADERS, rows(results))]
    if memory_rows(results):
        parts.append(text_table(MEMORY_HEADERS, memory_rows(results)))
    notes = [f"{r.key}: {n}" for r in results for n in r.notes]
    return "\n\n".join(parts + (["\n".join(notes)] if notes else []))


def write_markdown(doc: dict[str, Any], results: list[Result], path: Path, command: str) -> None:
    info, cfg, run = doc["machine"], doc["config"], doc["run"]
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items() if v)
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if KEEP_MARKER in old:
            kept = old.split(KEEP_MARKER, 1)[1].strip("\n")
    spread = ", ".join(f"{mode} ×{value}" for mode, value in run.get("floor_spread", {}).items()) or "–"
    warnings = "".join(f"\n> ⚠️ {w}\n" for w in run.get("warnings", []))
    commit = info["git"]["commit"] + ("+dirty" if info["git"]["dirty"] else "")
    text = f"""# Benchmark results

Generated by `{command}` at {doc["generated_at"]} (git {commit}),
total {run["total_s"]} s. Raw numbers: `bench/out/results.json` (schema `{doc["schema"]}`, described in
`bench/__init__.py`).

**Machine:** nproc {info["nproc"]}, {info["cpu_model"]}, {info["python"]}, SQLite {info["sqlite"]},
kernel {info["kernel"]}; {libs}. Load average at start/end: {run["loadavg_start"][0]} / {run["loadavg_end"][0]}
(the machine is shared: compare ratios, not absolute rates).
{warnings}
**Method:** everything in one process through the real `Application` + `FakeBotApi` + `Simulator`.
*sequential* awaits `app.process_update(update)` one at a time; *concurrent* puts updates on
`app.update_queue` of the started Application with {cfg["concurrency"]} chats in flight (one update per chat at a
time, `PerChatUpdateProcessor`), so its latency is mostly queueing (≈ {cfg["concurrency"]} / throughput). Each bot
scenario runs {cfg["seconds"]} s per mode after {cfg["warmup_s"]} s warm-up, in {cfg["slices"]} slices interleaved
(ABBA) with as many slices of the echo floor: *× floor* is the median of the slice-pair throughput ratios, the other
ratios use the floor's interleaved slices, so they hold while other work shares the machine. The `echo_floor` rows
are a separate {cfg["seconds"]} s run for absolute reference. Throughput includes building each `Update` from
JSON (PTB's Updater does the same). Latency = hand-over to the Application → the stand-in recording the first
`sendMessage` for that chat. *stand-in µs/upd* is time inside `FakeBotApi` (HTML check, JSON), which production
does not pay; *× floor w/o stand-in* leaves it out on both sides. *CPU × floor* compares process CPU time (all
threads) per update. *Bot API calls/upd* counts every call the stand-in records in a slice (answers, cards, edits,
notices; after each slice the outbox's sends are waited for) over the slice's updates. Button scenarios (pledge
stages, RSVP) are timed to the press's answer (`answerCallbackQuery`, matched by the press's id). Cluster: {cfg["members"]} member organisations registered and approved through the bot in one
cluster, copied by SQL into {cfg["concurrency"] - 1} more cluster groups so group commands from concurrent lanes hit
different chats ({cfg["members"] * cfg["concurrency"]:,} organisations and members in the database). The bot's
clock advances 20 ms per update so its per-member flood guard (20 updates / 10 s) sees a human pace.

{markdown_table(HEADERS, rows(results))}

{markdown_table(MEMORY_HEADERS, memory_rows(results))}

Budgets (DESIGN.md): every bot update at ≥ 1/3 of the floor's rate (both modes), p99 < 10 ms (sequential);
idle RSS < 60 MB. Spread of the floor's slice rates over the run: {spread}.

{KEEP_MARKER}
"""
    if kept:
        text += "\n" + kept + "\n"
    path.write_text(text, encoding="utf-8")
