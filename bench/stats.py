"""Medians of the raw samples, by scenario, system and N, and ratios to a reference system."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from typing import Any


class Samples:
    """The flat sample list of a results JSON, queried by (scenario, system, n, key)."""

    def __init__(self, results: Mapping[str, Any]) -> None:
        self.samples: list[dict[str, Any]] = list(results["samples"])
        self.systems: list[str] = list(results["plan"]["systems"])
        # Ratios are to lightbase; a run without it (peers only) compares to its first system.
        self.reference = "lightbase" if "lightbase" in self.systems else self.systems[0]

    def values(self, scenario: str, system: str, key: str, n: int | None = None) -> list[float]:
        return [
            s["values"][key]
            for s in self.samples
            if s["scenario"] == scenario
            and s["system"] == system
            and (n is None or s["n"] == n)
            and "values" in s
            and s["values"].get(key) is not None
        ]

    def median(self, scenario: str, system: str, key: str, n: int | None = None) -> float | None:
        found = self.values(scenario, system, key, n)
        return statistics.median(found) if found else None

    def errors(self, scenario: str, system: str, n: int | None = None) -> list[str]:
        return [
            s["error"]
            for s in self.samples
            if s["scenario"] == scenario
            and s["system"] == system
            and (n is None or s["n"] == n)
            and "error" in s
        ]

    def ran(self, scenario: str, system: str, n: int | None = None) -> int:
        """How many runs were made (measured or failed)."""
        return sum(
            1
            for s in self.samples
            if s["scenario"] == scenario and s["system"] == system and (n is None or s["n"] == n)
        )

    def counts(self, scenario: str) -> list[int]:
        return sorted({s["n"] for s in self.samples if s["scenario"] == scenario})

    def systems_in(self, scenario: str, n: int | None = None) -> list[str]:
        present = {
            s["system"]
            for s in self.samples
            if s["scenario"] == scenario and (n is None or s["n"] == n)
        }
        return [system for system in self.systems if system in present]


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


def slope(points: Iterable[tuple[int, float]]) -> float | None:
    """Least-squares growth per unit of N (e.g. KB per extra service)."""
    pairs = list(points)
    if len(pairs) < 2:
        return None
    mean_n = statistics.fmean(n for n, _ in pairs)
    mean_v = statistics.fmean(v for _, v in pairs)
    spread = sum((n - mean_n) ** 2 for n, _ in pairs)
    if spread == 0:
        return None
    return sum((n - mean_n) * (v - mean_v) for n, v in pairs) / spread
