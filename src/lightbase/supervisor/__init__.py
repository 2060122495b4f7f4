"""Supervision and PID 1: one event loop for startup scripts, services and shutdown."""

from .core import MAIN, Options, Phase, Supervisor
from .waitstatus import Exit

__all__ = ["MAIN", "Exit", "Options", "Phase", "Supervisor"]
