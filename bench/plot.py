"""Raw results JSON -> docs/bench-boot.png and docs/bench-memory.png (scenarios 1 and 5 by N).

Needs matplotlib, which lives in the bench-only venv (`make bench` creates it), never in
lightbase's own: `python -m bench.plot [JSON [DIR]]`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .paths import DEFAULT_DOC, DEFAULT_OUTPUT
from .stats import Samples

CHARTS = (
    ("bench-boot.png", "boot_ms", "Boot: launch -> all N services running", "median time (ms)"),
    ("bench-memory.png", "pss_kb", "Memory of the supervision processes", "summed PSS (KB)"),
)


def write_plots(json_path: Path, directory: Path) -> list[Path]:
    import matplotlib  # imported here: the harness itself needs only the standard library

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    data = Samples(json.loads(json_path.read_text()))
    written = []
    for filename, key, title, ylabel in CHARTS:
        figure, axes = plt.subplots(figsize=(7, 4.5), dpi=100)
        for system in data.systems_in("lifecycle"):
            points = [
                (n, v)
                for n in data.counts("lifecycle")
                if (v := data.median("lifecycle", system, key, n)) is not None
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                axes.plot(xs, ys, marker="o", label=system)
        axes.set_xscale("log")
        counts = data.counts("lifecycle")
        axes.set_xticks(counts, labels=[str(n) for n in counts])
        axes.minorticks_off()
        axes.set_yscale("log")
        axes.set_xlabel("services (N)")
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend()
        figure.tight_layout()
        path = directory / filename
        directory.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
        plt.close(figure)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    json_path = Path(args[0]) if args else DEFAULT_OUTPUT
    directory = Path(args[1]) if len(args) > 1 else DEFAULT_DOC.parent
    for path in write_plots(json_path, directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
