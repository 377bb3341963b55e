"""Where Kotobotti's time goes under load: py-spy on the Rasa server and the action server.

``python -m bench.profile [--seconds 60] [--concurrency 10] [--model PATH]`` starts both
servers as ``make bench`` does, warms them, then samples each with py-spy while
conversations run at the given concurrency, and writes per server a flame graph (SVG)
and the collapsed stacks to ``var/bench/profile/``, printing the functions with the
largest share of samples (inclusive and own). py-spy is installed into the peer's venv
(``bench/peer.py``), not into Kotobotti's: it is a tool for this, not a dependency.
Also ``--startup``: the same for the servers' start up to the first answer.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import load, peer, systems

OUT = systems.ROOT / "var" / "bench" / "profile"


def py_spy() -> str:
    root = peer.CACHE / f"rasa-{peer.VERSION}"
    venv = peer.build_venv(root)
    binary = venv / "bin" / "py-spy"
    if not binary.exists():
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "py-spy"], check=True)
    return str(binary)


def summarise(collapsed: Path, top: int = 25) -> str:
    """The functions with most samples: inclusive (anywhere on the stack) and own (on top)."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f]
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"{collapsed.name}: {total} samples"]
    lines += ["  inclusive:"] + [f"    {100 * n / total:5.1f} %  {f}" for f, n in inclusive.most_common(top)]
    lines += ["  own:"] + [f"    {100 * n / total:5.1f} %  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def record(spy: str, pid: int, seconds: float, name: str, native: bool = False) -> subprocess.Popen:
    base = OUT / name.replace(" ", "-")
    common = [
        spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        "100",
        "--subprocesses",
        "--nonblocking",
    ]
    if native:
        common.append("--native")
    return subprocess.Popen(
        [*common, "--format", "raw", "--output", f"{base}.txt"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--model", type=Path, help="a trained model (default: train one)")
    args = parser.parse_args(argv)
    spy = py_spy()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kotobotti-profile-") as tmp:
        system = systems.kotobotti(Path(tmp))
        if args.model:
            system.model = args.model.resolve()
            system.servers["Rasa server"][system.servers["Rasa server"].index("--model") + 1] = str(
                system.model
            )
            subprocess.run(system.train_commands[0], cwd=system.cwd, env=system.env, check=True)
        else:
            systems.train(system, OUT / "train.log")
        running = systems.Running(system, OUT / "servers.log")
        try:
            load.wait_first_answer(running.base, *system.first)
            load.run_round(running.base, system.scripts, len(system.scripts), "warm")
            spies = {name: record(spy, pid, args.seconds, name) for name, pid in running.pids().items()}
            stop = threading.Event()
            messages = [0]

            def drive() -> None:
                while not stop.is_set():
                    times, _ = load.run_round(running.base, system.scripts, args.concurrency, "prof")
                    messages[0] += len(times)

            started = time.perf_counter()
            driver = threading.Thread(target=drive)
            driver.start()
            for proc in spies.values():
                proc.wait()
            stop.set()
            driver.join()
            seconds = time.perf_counter() - started
            print(f"{messages[0]} messages in {seconds:.0f} s at {args.concurrency} concurrent")
        finally:
            running.stop()
    for name in running.pids():
        print(summarise(OUT / f"{name.replace(' ', '-')}.txt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
