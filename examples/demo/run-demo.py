"""`make demo`: boot the demo container tree, show `lightbase sv status`, stop on Ctrl-C.

As root the tree runs as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`),
as in a container; otherwise as a child subreaper. Without a terminal it stops by itself after
DEMO_SECONDS (default 14) so `make demo` also works in CI.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIGHTBASE = Path(sys.executable).with_name("lightbase")


def main() -> int:
    interactive = sys.stdin.isatty()
    seconds = float(os.environ.get("DEMO_SECONDS", "0" if interactive else "14"))
    with tempfile.TemporaryDirectory(prefix="lightbase-demo-") as tmp:
        root = Path(tmp) / "container"
        shutil.copytree(HERE / "tree", root, symlinks=True)
        command = [str(LIGHTBASE), "run", "--root", str(root), "--log-prefix"]
        if os.geteuid() == 0 and shutil.which("unshare"):
            command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
        print(f"$ {' '.join(command)}", flush=True)
        # Ctrl-C reaches lightbase too (same terminal process group): let it do the stopping.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        init = subprocess.Popen(command)
        show_status(root, at=(3.0, 9.0))
        if seconds:
            wait_or_stop(init, seconds)
        else:
            print("(press Ctrl-C to stop)", flush=True)
        code = init.wait()
        print(f"lightbase exited with code {code}", flush=True)
        return code


def show_status(root: Path, at: tuple[float, ...]) -> None:
    start = time.monotonic()
    for moment in at:
        time.sleep(max(0.0, start + moment - time.monotonic()))
        print(f"$ lightbase sv status   # {moment:g} s after boot", flush=True)
        env = {**os.environ, "CONTAINER_ROOT": str(root)}
        subprocess.run([str(LIGHTBASE), "sv", "status"], env=env, check=False)


def wait_or_stop(init: subprocess.Popen[bytes], seconds: float) -> None:
    try:
        init.wait(timeout=max(0.0, seconds - 9.0))
    except subprocess.TimeoutExpired:
        pid = lightbase_pid(init.pid)
        print(f"$ kill -TERM {pid}   # stopping the demo", flush=True)
        os.kill(pid, signal.SIGTERM)


def lightbase_pid(launched: int) -> int:
    """unshare does not pass signals on: find the lightbase process it forked."""
    for task in Path(f"/proc/{launched}/task").iterdir():
        children = (task / "children").read_text().split()
        if children:
            return int(children[0])
    return launched


if __name__ == "__main__":
    sys.exit(main())
