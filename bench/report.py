"""``bench/results.md`` and the README's marked block, rendered from measured figures.

Pure functions (tests/test_bench.py): the table is built from a :class:`Figures` per
system, and the README block is copied from ``results.md`` between its markers, so
what the README shows is always the last run's table, never numbers typed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bench.stats import Load, Spread, ratio

BEGIN = "<!-- bench:begin (written by make bench from bench/results.md; do not edit) -->"
END = "<!-- bench:end -->"
LEVELS = (1, 10, 50)
# Contract §7 / issue 14 targets, as Kotobotti over stock: (row key, "<=" or ">=", bound).
TARGETS: dict[str, tuple[str, float]] = {
    "training": ("<=", 0.5),
    "cold_start": ("<=", 0.25),
    "memory": ("<=", 0.6),
    "p95@10": ("<=", 0.3),
    "throughput@10": (">=", 3.0),
}


@dataclass(frozen=True)
class Figures:
    """Everything measured for one system in a run."""

    training_s: float
    cold_start_s: Spread
    memory_mb: Mapping[str, float]  # process name -> peak resident MB under load
    loads: Mapping[int, Load]  # concurrent conversations -> what they gave
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Training again with what the first training left (Kotobotti's cache of example
    # vectors; stock Rasa's `--force` reuses nothing): what a developer waits after a change.
    retraining_s: float | None = None

    @property
    def total_memory_mb(self) -> float:
        return sum(self.memory_mb.values())


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    stock: str
    ours: str
    ratio: float


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def _spread(spread: Spread, unit: Callable[[float], str]) -> str:
    if spread.low == spread.high:
        return unit(spread.median)
    return f"{unit(spread.median)} ({unit(spread.low).split()[0]}–{unit(spread.high)})"


def _ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def _rate(value: float) -> str:
    return f"{value:.1f} msg/s"


def _memory(figures: Figures) -> str:
    parts = ", ".join(f"{name} {mb:.0f}" for name, mb in figures.memory_mb.items())
    total = f"{figures.total_memory_mb:.0f} MB"
    return f"{total} ({parts})" if len(figures.memory_mb) > 1 else total


def rows(stock: Figures, ours: Figures) -> list[Row]:
    """One row per figure of contract §7, in the order of the table."""
    found = [
        Row(
            "training",
            "training (`rasa train --force`, wall)",
            _seconds(stock.training_s),
            _seconds(ours.training_s),
            ratio(stock.training_s, ours.training_s),
        ),
        *(
            [
                Row(
                    "retraining",
                    "training again (`--force`, caches kept)",
                    _seconds(stock.retraining_s),
                    _seconds(ours.retraining_s),
                    ratio(stock.retraining_s, ours.retraining_s),
                )
            ]
            if stock.retraining_s is not None and ours.retraining_s is not None
            else []
        ),
        Row(
            "cold_start",
            "cold start to first answer",
            _spread(stock.cold_start_s, _seconds),
            _spread(ours.cold_start_s, _seconds),
            ratio(stock.cold_start_s.median, ours.cold_start_s.median),
        ),
        Row(
            "memory",
            "resident memory, all servers (peak under load)",
            _memory(stock),
            _memory(ours),
            ratio(stock.total_memory_mb, ours.total_memory_mb),
        ),
    ]
    for level in LEVELS:
        if level not in stock.loads or level not in ours.loads:
            continue
        s, o = stock.loads[level], ours.loads[level]
        for q in (50, 95, 99):
            found.append(
                Row(
                    f"p{q}@{level}",
                    f"p{q} latency, {level} concurrent",
                    _ms(s.p(q)),
                    _ms(o.p(q)),
                    ratio(s.p(q), o.p(q)),
                )
            )
        found.append(
            Row(
                f"throughput@{level}",
                f"throughput, {level} concurrent",
                _spread(s.throughput, _rate),
                _spread(o.throughput, _rate),
                ratio(s.throughput.median, o.throughput.median),
            )
        )
    return found


def target_text(key: str, value: float) -> str:
    """ "≤ 0.3 ✓" or "≥ 3 ✗" for a row with a target, "" otherwise."""
    if key not in TARGETS:
        return ""
    op, bound = TARGETS[key]
    met = value <= bound if op == "<=" else value >= bound
    return f"{'≤' if op == '<=' else '≥'} {bound:g} {'met' if met else 'not met'}"


def table(stock: Figures, ours: Figures, stock_name: str = "stock Rasa 3.6.21") -> str:
    """The Markdown table: figure, stock, Kotobotti, ratio (Kotobotti / stock), target."""
    lines = [
        f"| figure | {stock_name} | Kotobotti | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows(stock, ours):
        target = target_text(row.key, row.ratio)
        lines.append(f"| {row.label} | {row.stock} | {row.ours} | {row.ratio:.2f} | {target} |")
    return "\n".join(lines)


def results_markdown(table_md: str, header: str, details: str) -> str:
    """The whole results.md: how and where it was measured, the table, the details."""
    block = f"{BEGIN}\n{table_md.strip()}\n{END}"
    return f"# make bench: results\n\n{header.strip()}\n\n{block}\n\n{details.strip()}\n"


_BLOCK = re.compile(re.escape(BEGIN) + r"\n(.*?)\n?" + re.escape(END), re.DOTALL)


def block_of(results_md: str) -> str:
    """The marked block of results.md (the table and its one-line provenance)."""
    match = _BLOCK.search(results_md)
    if not match:
        raise ValueError("results.md has no bench block")
    return match.group(1).strip()


def rewrite_readme(readme: str, results_md: str) -> str:
    """The README with its marked block replaced by results.md's; the markers must be there."""
    if not _BLOCK.search(readme):
        raise ValueError(f"README.md has no block between {BEGIN!r} and {END!r}")
    new = f"{BEGIN}\n{block_of(results_md)}\n{END}"
    return _BLOCK.sub(lambda _: new, readme, count=1)
