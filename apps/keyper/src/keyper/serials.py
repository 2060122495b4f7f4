"""Certificate serial numbers: one counter file, incremented under a lock by any worker."""

from __future__ import annotations

from pathlib import Path

from keyper.errors import ApiError
from keyper.locks import exclusive, write_atomic

SERIAL_FILE = "serial"


def next_serial(state_dir: Path) -> int:
    """The next unused serial (1, 2, ...), never handed out twice, even across workers."""
    path = state_dir / SERIAL_FILE
    with exclusive(state_dir / f"{SERIAL_FILE}.lock"):
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = "0"
        if not text.isdigit():
            raise ApiError(500, f"serial counter {path}: corrupt content")
        serial = int(text) + 1
        write_atomic(path, f"{serial}\n".encode("ascii"), 0o600)
    return serial
