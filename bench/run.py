"""``make bench``: build the peer, measure both systems in one run, write the results.

Order (so both share the same background noise): train stock, train Kotobotti; then
``--rounds`` cold starts, alternating; the last start of each stays up; one unmeasured
conversation per script warms both; then for each level (1, 10, 50 concurrent) the
rounds alternate between the systems, while a sampler keeps every server's peak
resident memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench import load, machine, peer, report, systems
from bench.procs import PeakSampler
from bench.stats import Load, Spread, percentile

ROOT = systems.ROOT
RESULTS = ROOT / "bench" / "results.md"
README = ROOT / "README.md"
# A round at N concurrent runs 3 N whole conversations, N at a time (issue 14: "30
# conversations at 10 concurrent"): the system is measured while it is busy, not
# mostly while the last few conversations of a round finish alone.
CONVERSATIONS_PER_SLOT = 3


def cold_start(system: systems.System, log: Path) -> tuple[float, systems.Running]:
    """Seconds from starting every server to the first answer; the servers, still running."""
    started = time.perf_counter()
    running = systems.Running(system, log)
    try:
        load.wait_first_answer(running.base, *system.first)
    except BaseException:
        running.stop()
        raise
    return time.perf_counter() - started, running


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def measure(
    chosen: list[systems.System], levels: list[int], rounds: int, logs: Path
) -> dict[str, report.Figures]:
    training = {}
    for system in chosen:
        say(f"training {system.name} ...")
        training[system.name] = systems.train(system, logs / f"{system.name}-train.log")
        say(f"  {system.name}: {training[system.name]:.1f} s")
    retraining = {}
    for system in chosen:
        retraining[system.name] = systems.train(system, logs / f"{system.name}-train.log")
        say(f"  {system.name} again: {retraining[system.name]:.1f} s")
    colds: dict[str, list[float]] = {s.name: [] for s in chosen}
    up: dict[str, systems.Running] = {}
    try:
        for round_ in range(rounds):
            for system in chosen:
                seconds, running = cold_start(system, logs / f"{system.name}-servers.log")
                colds[system.name].append(seconds)
                say(f"cold start {round_ + 1} {system.name}: {seconds:.1f} s")
                if round_ < rounds - 1:
                    running.stop()
                else:
                    up[system.name] = running
        for system in chosen:  # warm-up, unmeasured: each script once
            load.run_round(up[system.name].base, system.scripts, len(system.scripts), "warm")
        pids = {f"{s.name}\0{name}": pid for s in chosen for name, pid in up[s.name].pids().items()}
        latencies: dict[tuple[str, int], list[float]] = {}
        walls: dict[tuple[str, int], list[tuple[int, float]]] = {}
        with PeakSampler(pids) as sampler:
            for level in levels:
                for round_ in range(rounds):
                    for system in chosen:
                        times, seconds = load.run_round(
                            up[system.name].base,
                            system.scripts,
                            level,
                            f"l{level}r{round_}",
                            CONVERSATIONS_PER_SLOT * level,
                        )
                        latencies.setdefault((system.name, level), []).extend(times)
                        walls.setdefault((system.name, level), []).append((len(times), seconds))
                        p95 = percentile(times, 95) * 1000
                        say(
                            f"{system.name} {level} concurrent, round {round_ + 1}: {len(times)} messages "
                            f"in {seconds:.1f} s, p95 {p95:.0f} ms"
                        )
    finally:
        for running in up.values():
            running.stop()
    figures = {}
    for system in chosen:
        memory = {k.split("\0")[1]: v for k, v in sampler.peak.items() if k.startswith(system.name + "\0")}
        figures[system.name] = report.Figures(
            training_s=training[system.name],
            retraining_s=retraining[system.name],
            cold_start_s=Spread.of(colds[system.name]),
            memory_mb=memory,
            loads={
                lv: Load(tuple(latencies[(system.name, lv)]), tuple(walls[(system.name, lv)]))
                for lv in levels
            },
        )
    return figures


def header(
    info: dict[str, str],
    versions: dict[str, str],
    levels: list[int],
    rounds: int,
    load_before: str,
    load_after: str,
) -> str:
    kotobotti_msgs = sum(len(s.steps) for s in systems.conversations.KOTOBOTTI)
    paths = ", ".join(s.name for s in systems.conversations.KOTOBOTTI)
    return f"""Measured by `make bench` (`python -m bench`) on {info["date"]}: both systems in the same
run on the same machine, {rounds} rounds of each figure, the rounds of the two systems
alternating so they share the background load.

- Machine: {info["cpu"]}, {info["cores"]} cores, {info["memory"]} RAM, {info["os"]}; load average
  before the run {load_before}, after it {load_after} (1, 5, 15 min; anything above 0 is other work
  running beside).
- Versions: Kotobotti {versions["kotobotti"]} (Rasa {versions["rasa"]}, Python {info["python"]}); stock
  Rasa {versions["stock"]} `rasa init --no-prompt` (DIET + TED, in-memory tracker store), in its
  own venv.
- Kotobotti: action server and Rasa server as `make run` starts them, SQL tracker store on a
  SQLite file, sentence model on, all 13 languages; {len(systems.conversations.KOTOBOTTI)} conversations
  to the recommendations ({kotobotti_msgs} messages: {paths}; a tap sends a button the bot
  offered), each checked to reach the recommendations.
- Stock: its Rasa server (its endpoints name no action server) on the conversations its
  stories teach (greet, mood, "did that help?", bot challenge, goodbye).
- Load: at {", ".join(map(str, levels))} concurrent conversations, each round runs
  {CONVERSATIONS_PER_SLOT} times that many whole conversations over REST (30 at 10 concurrent), that
  many at a time, each next one starting as one ends; latency is per message (request to
  reply), throughput is messages answered per second of the round (median of the rounds,
  range in brackets).
- Training: `rasa train --force` (Kotobotti's through `python -m bot.rasa_cli train`, as
  `make train` runs it, after training its sentence-model classifiers from scratch), then
  the same again with what the first left behind (Kotobotti's example vectors are cached
  by digest, so a retraining embeds only new sentences; stock's `--force` reuses nothing).
  Cold start: starting every server to the first answer.
  Memory: the most that all of a system's server processes (with children) held at once
  while sampled every 0.25 s during the load."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="make bench: Kotobotti and stock Rasa 3.6.21 in one run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations, comma-separated")
    parser.add_argument("--only", choices=["kotobotti"], help="measure Kotobotti alone (no results written)")
    parser.add_argument("--no-write", action="store_true", help="print the table, write no files")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    info, load_before = machine.describe(), machine.load_average()
    with tempfile.TemporaryDirectory(prefix="kotobotti-bench-") as tmp:
        work = Path(tmp)
        logs = ROOT / "var" / "bench"
        logs.mkdir(parents=True, exist_ok=True)
        for old in logs.glob("*.log"):
            old.unlink()
        ours = systems.kotobotti(work / "kotobotti")
        chosen = [ours]
        stock_peer = None
        if args.only != "kotobotti":
            stock_peer = peer.ensure()
            chosen = [systems.stock(work / "stock", stock_peer), ours]
        say(f"logs in {logs}")
        figures = measure(chosen, levels, args.rounds, logs)
    load_after = machine.load_average()
    raw = {
        name: {
            "training_s": f.training_s,
            "retraining_s": f.retraining_s,
            "cold_start_s": f.cold_start_s.__dict__,
            "memory_mb": dict(f.memory_mb),
            "loads": {lv: {"latencies": ld.latencies, "rounds": ld.rounds} for lv, ld in f.loads.items()},
        }
        for name, f in figures.items()
    }
    (logs / "last.json").write_text(json.dumps(raw))
    if stock_peer is None:
        f = figures["Kotobotti"]
        print(report.table(f, f, stock_name="(Kotobotti again)"))
        return 0
    versions = {
        "kotobotti": machine.git_commit(ROOT),
        "rasa": machine.package_version(Path(sys.executable), "rasa"),
        "stock": machine.package_version(stock_peer.python, "rasa"),
    }
    table_md = report.table(figures["stock Rasa"], figures["Kotobotti"])
    provenance = (
        f"Measured by `make bench` on {info['date']}: {info['cpu']}, {info['cores']} cores, {info['memory']} "
        f"RAM, load average before {load_before}; ratio = Kotobotti / stock. Details: `bench/results.md`."
    )
    block = f"{provenance}\n\n{table_md}"
    details = "\n".join(
        f"- {name}: " + ", ".join(f"{p} peak {mb:.0f} MB" for p, mb in f.memory_mb.items())
        for name, f in figures.items()
    )
    text = report.results_markdown(
        block,
        header(info, versions, levels, args.rounds, load_before, load_after),
        "Memory per process:\n\n" + details,
    )
    print(block)
    if not args.no_write:
        RESULTS.write_text(text, "utf-8")
        README.write_text(report.rewrite_readme(README.read_text("utf-8"), text), "utf-8")
        say(f"wrote {RESULTS.relative_to(ROOT)} and the README's block")
    return 0


if __name__ == "__main__":
    sys.exit(main())
