"""Restart delays after quick exits in a row: at once, then 0.1 s doubling up to the cap."""

from __future__ import annotations

import pytest

from lightbase.supervisor.runner import backoff_delay


def test_the_default_sequence_doubles_from_a_tenth_up_to_thirty_seconds() -> None:
    delays = [backoff_delay(n, 30.0) for n in range(0, 14)]
    assert delays == pytest.approx(
        [0.0, 0.0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0, 30.0]
    )


def test_a_low_cap_stops_the_doubling_early() -> None:
    assert [backoff_delay(n, 1.0) for n in range(1, 9)] == pytest.approx(
        [0.0, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]
    )


def test_a_zero_cap_restarts_at_once_every_time() -> None:
    assert [backoff_delay(n, 0.0) for n in range(1, 6)] == [0.0] * 5


def test_a_very_long_run_of_exits_stays_at_the_cap() -> None:
    assert backoff_delay(1000, 30.0) == 30.0


def test_an_endless_run_of_exits_stays_at_the_cap() -> None:
    assert backoff_delay(1026, 30.0) == 30.0
    assert backoff_delay(100_000, 30.0) == 30.0
