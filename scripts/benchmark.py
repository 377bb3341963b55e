"""Benchmark: training time, cold start, resident memory and latency under load.

Prints figures; asserts nothing (speed is measured here, never in timed tests).
Compares with the stock Rasa figures of issue 3 measured on this machine (rasa init,
DIET + TED): training 120 s, cold start 74 s, 1.27 GB resident, p95 1.05 s at 10
concurrent conversations.

Usage: .venv/bin/python scripts/benchmark.py [--conversations 10] [--turns 8]
It trains into a temporary folder and starts the servers on spare ports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import serve, storage  # noqa: E402
from tests.language_cases import CASES  # noqa: E402

STOCK = {"train_s": 120, "cold_start_s": 74, "rss_mb": 1270, "p95_s": 1.05}
# A whole conversation in four languages, from the test cases: greeting, consent, all
# facts in one message, the years button, thanks, help.
SCRIPTS = [
    (code, [c.greet, c.yes, c.facts, '/inform{"years_since_first_permit": 1.5}', c.thanks, c.help])
    for code, c in ((code, CASES[code]) for code in ("en", "fi", "ar", "uk"))
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids += [int(c) for c in children]
        except (OSError, StopIteration):
            continue
    return total / 1024


def timed(base: str, sender: str, message: str, language: str) -> float:
    started = time.perf_counter()
    serve.send(base, sender, message, {"language": language})
    return time.perf_counter() - started


def conversation(base: str, number: int, rounds: int) -> list[float]:
    language, messages = SCRIPTS[number % len(SCRIPTS)]
    timings = []
    for round_ in range(rounds):
        sender = f"bench-{number}-{round_}"
        timings += [timed(base, sender, m, language) for m in messages]
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10, help="concurrent conversations")
    parser.add_argument("--rounds", type=int, default=5, help="whole conversations each")
    args = parser.parse_args()
    rasa = str(Path(sys.executable).parent / "rasa")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [rasa, "train", "--out", tmp, "--fixed-model-name", "bench", "--quiet"],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        train_s = time.perf_counter() - started
        ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
        started = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if k != serve.TOKEN_VARIABLE}
        env[storage.DB_URL_VARIABLE] = f"sqlite:///{tmp}/bench.db"  # not the checkout's conversations
        with serve.running(model=Path(tmp) / "bench.tar.gz", ports=ports, env=env) as up:
            serve.send(up.base, "warm-up", "hello", {"language": "en"})  # the first answer loads the graph
            cold_s = time.perf_counter() - started
            with ThreadPoolExecutor(args.conversations) as pool:
                results = list(
                    pool.map(lambda n: conversation(up.base, n, args.rounds), range(args.conversations))
                )
            memory = {"action server": rss_mb(up.pids[0]), "rasa server": rss_mb(up.pids[1])}
    timings = sorted(t for r in results for t in r)
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    rss = sum(memory.values())
    rows = [
        ("training (s)", train_s, STOCK["train_s"]),
        ("cold start to first answer (s)", cold_s, STOCK["cold_start_s"]),
        ("resident memory, both servers (MB)", rss, STOCK["rss_mb"]),
        (f"p95 latency, {args.conversations} concurrent (s)", p95, STOCK["p95_s"]),
    ]
    print(f"{'measure':42} {'kotobotti':>10} {'stock':>8} {'ratio':>6}")
    for name, ours, stock in rows:
        print(f"{name:42} {ours:>10.2f} {stock:>8.2f} {ours / stock:>6.2f}")
    print(
        f"messages: {len(timings)}, p50 {p50:.3f} s, max {timings[-1]:.3f} s; "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
