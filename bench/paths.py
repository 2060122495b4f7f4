"""Where the benchmark reads and writes by default, relative to the repository."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LIGHTBASE = REPO / ".venv" / "bin" / "lightbase"
DEFAULT_OUTPUT = REPO / "bench" / "results" / "latest.json"
QUICK_OUTPUT = REPO / "bench" / "results" / "quick.json"
DEFAULT_DOC = REPO / "docs" / "benchmarks.md"
