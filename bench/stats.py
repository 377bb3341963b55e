"""Percentiles and summaries of measured figures (pure: unit-tested in tests/test_bench.py)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between the closest ranks.

    The same definition as numpy's default, so a figure can be checked by anyone; with
    a few hundred latencies per level the choice of definition moves p99 by little.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """A figure measured several times: its median and range (each round is one value)."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("spread of no values")
        return cls(statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class Load:
    """What one concurrency level gave: every message's latency (s), and per round its
    messages and wall time."""

    latencies: tuple[float, ...]
    rounds: tuple[tuple[int, float], ...]  # (messages answered, seconds) per round

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def throughput(self) -> Spread:
        """Messages answered per second, per round."""
        return Spread.of([messages / seconds for messages, seconds in self.rounds])


def ratio(stock: float, ours: float) -> float:
    """Kotobotti's figure over stock's (below 1 is better for times and memory)."""
    return ours / stock if stock else math.nan
