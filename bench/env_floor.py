"""The floor of the environment scenario: plain PyYAML, no init.

`python env_floor.py ENVDIR SCRIPT` loads every ENVDIR/*.yaml in name order with PyYAML's
safe loader, adds the top-level keys to the environment (values as str) and execs SCRIPT. It
is what any init must at least do to hand YAML-defined variables to a startup script, so the
gap between it and lightbase is what lightbase's environment pipeline costs on top.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: env_floor.py ENVDIR SCRIPT", file=sys.stderr)
        return 2
    directory, script = Path(args[0]), args[1]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    environ = dict(os.environ)
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.load(path.read_text(), Loader=loader) or {}
        environ.update({str(key): str(value) for key, value in data.items()})
    os.execve(script, [script], environ)
    return 127  # not reached: execve replaced this process or raised


if __name__ == "__main__":
    sys.exit(main())
