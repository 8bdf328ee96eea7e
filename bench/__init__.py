"""Benchmarks for Klaster Logistik Bot: ``python -m bench`` (or ``make bench``); not part of pytest.

Every measured operation goes through the real ``Application`` + ``FakeBotApi`` + ``Simulator``, and is
reported as a ratio to a bare python-telegram-bot echo Application measured in the same run (see
DESIGN.md "Budgets"). Scenarios live in ``bench/scenarios.py``: a scenario is
``async def name(bench: Bench) -> list[Result]`` appended to ``SCENARIOS``.

``bench/out/results.json`` (schema ``klaster-bench/1``; fields are only ever added)::

    schema        "klaster-bench/1"
    generated_at  ISO-8601 UTC
    machine       nproc, cpu_model, python, sqlite, kernel, libraries{name: version}, git{commit, dirty}
    config        seconds, warmup_s, slices, concurrency, members, memory_runs
    run           total_s, bot_setup_s, loadavg_start, loadavg_end, scenarios[ran], problems[],
                  floor_spread{mode: max/min of the floor's slice rates}, warnings[]
    results[]     one per scenario and mode:
      key          "<scenario>/<mode>", stable across runs (e.g. "kapasitas_write/concurrent")
      scenario     function name in SCENARIOS (memory rows: memory_floor, memory_idle)
      mode         "sequential" | "concurrent" | "idle" (new scenarios may add modes)
      description  the scenario's docstring
      metrics      unit-suffixed numbers. Throughput rows: updates, elapsed_s, throughput_per_s,
                   throughput_excl_standin_per_s (time inside the stand-in left out), p50_ms,
                   p90_ms, p99_ms, max_ms, mean_ms, errors, db_handoffs_per_update,
                   api_calls_per_update (Bot API calls the stand-in recorded per update),
                   api_us_per_update (time inside the stand-in), cpu_us_per_update (process CPU
                   time, all threads). Memory rows: rss_mib, min_mib, max_mib, samples
      floor        key of the floor row it is compared with, or null for a floor
      ratios       metric / floor's metric: throughput, throughput_excl_standin, p99, cpu (CPU µs
                   per update), rss. For interleaved scenarios the floor's metrics are
                   paired_floor and throughput is the median of pair_ratios
      paired_floor the echo floor's metrics over the slices interleaved with this scenario, or null
      pair_ratios  per slice pair: scenario throughput / floor throughput
      floor_rates  the floor's throughput in each of those slices
      checks[]     DESIGN.md budgets: name, value, op, limit, ok
      notes[]      e.g. the first wrong reply when errors > 0
"""
