"""PID 1 duties, each a real process tree as PID 1 of a fresh PID namespace (issue: supervision)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from .conftest import Container, descendants, proc_state, wait_until

SLEEPER = "exec sleep 1000\n"


def test_service_ignoring_sigterm_is_killed_when_grace_ends(container: Container) -> None:
    container.service("stubborn", "trap '' TERM\nwhile :; do sleep 0.1; done\n")
    container.service("other", SLEEPER)
    container.start(env={"KILL_PROCESS_TIMEOUT": "1"})
    container.wait_for_state("stubborn", "up")
    sent = time.monotonic()
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    took = time.monotonic() - sent
    assert took < 1.5, f"stop took {took:.2f} s with a 1 s grace"
    assert "still running after 1 s: stubborn; sending SIGKILL" in container.log


def test_grandchild_cleanup_finishes_after_its_parent_exits(container: Container) -> None:
    container.service(
        "parent",
        """
        sh -c 'trap "sleep 2; echo done > $MARKS/cleaned; exit 0" TERM
               while :; do sleep 0.1; done' &
        exec sleep 1000
        """,
    )
    container.start()
    container.wait_for_state("parent", "up")
    wait_until(lambda: len(container.processes()) >= 3, 5, "the grandchild")
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    assert container.mark("cleaned").read_text() == "done\n"


def test_setsid_escapee_gets_sigterm_at_shutdown(container: Container) -> None:
    container.service(
        "escaper",
        """
        setsid sh -c 'trap "echo term > $MARKS/escapee; exit 0" TERM
                      while :; do sleep 0.1; done' &
        exec sleep 1000
        """,
    )
    container.start()
    container.wait_for_state("escaper", "up")
    time.sleep(0.3)
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    assert container.mark("escapee").read_text() == "term\n"


def test_setsid_escapee_does_not_survive_a_subreaper_lightbase(container: Container) -> None:
    container.service("escaper", "setsid sleep 1001 &\nexec sleep 1000\n")
    container.start(pid1=False)
    container.wait_for_state("escaper", "up")
    wait_until(lambda: any("sleep 1001" in c for _, c in container.processes()), 5, "escapee")
    escapees = [p for p, c in container.processes() if "sleep 1001" in c]
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    for pid in escapees:
        assert proc_state(pid) in ("", "Z"), f"pid {pid} survived"


def test_five_orphaned_zombies_are_reaped_within_a_second(container: Container) -> None:
    container.service(
        "orphans",
        """
        for i in 1 2 3 4 5; do (sleep 0.2 &); done
        exec sleep 1000
        """,
    )
    container.start()
    container.wait_for_state("orphans", "up")
    time.sleep(0.2 + 1.0)
    zombies = [p for p in descendants(container.pid) if proc_state(p) == "Z"]
    assert zombies == []
    assert container.stop() == 0


def test_sigterm_during_crash_loop_stops_in_grace_and_restarts_nothing(
    container: Container,
) -> None:
    container.service("crasher", "exit 1\n")
    container.service("steady", SLEEPER)
    container.start()
    container.wait_for_log("service crasher: starting", timeout=5)
    time.sleep(0.05)
    sent = time.monotonic()
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    assert time.monotonic() - sent < 7.0
    log = container.log
    after = log[log.index("received: stopping") :]
    assert "starting (pid" not in after, after


def test_crash_loop_backs_off_and_costs_pid1_almost_no_cpu(container: Container) -> None:
    container.service("crasher", "exit 1\n")
    container.service("steady", SLEEPER)  # two services: a lone one would end the container
    container.start()
    container.wait_for_log("service crasher: starting")
    pid = container.pid
    ticks_before = _cpu_ticks(pid)
    time.sleep(30)
    cpu_seconds = (_cpu_ticks(pid) - ticks_before) / 100
    spawns = container.log.count("service crasher: starting")
    assert container.stop() == 0
    # 0, 0.1, 0.2, ... 25.6 s back-off: at most 10 spawns in 30 s (runsv does ~30).
    assert spawns <= 11, spawns
    assert cpu_seconds < 0.3, f"PID 1 used {cpu_seconds:.2f} s of CPU in 30 s"


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_up_down_up_on_a_crash_looping_service_ends_with_the_last_command(
    container: Container,
) -> None:
    container.service("crasher", "sleep 0.05; exit 1\n")
    container.service("steady", SLEEPER)
    container.start()
    container.wait_for_state("steady", "up")
    for verb in ("up", "down", "up"):
        assert container.sv(verb, "crasher").returncode == 0
    time.sleep(0.3)
    assert container.status()["crasher"]["want"] == "up"
    assert container.status()["crasher"]["state"] in ("starting", "up", "backoff", "waiting")
    for verb in ("down", "up", "down"):
        assert container.sv(verb, "crasher").returncode == 0
    container.wait_for_state("crasher", "down")
    time.sleep(0.5)
    assert container.status()["crasher"]["state"] == "down"
    assert container.stop() == 0


def test_critical_service_exit_code_becomes_the_container_exit_code(
    container: Container,
) -> None:
    container.service("critical", "sleep 0.5; exit 7\n", config={"critical": True})
    container.service(
        "other", "trap 'echo stopped > $MARKS/other; exit 0' TERM\nwhile :; do sleep 0.1; done\n"
    )
    container.start()
    assert container.wait() == 7
    assert container.mark("other").read_text() == "stopped\n"
    assert "service critical ended the container: exited with code 7 (critical)" in container.log


def test_sigusr1_reaches_services_and_pid1_survives(container: Container) -> None:
    for name in ("one", "two"):
        container.service(
            name,
            f"trap 'echo usr1 >> $MARKS/{name}' USR1\nwhile :; do sleep 0.1; done\n",
        )
    container.start()
    container.wait_for_state("two", "up")
    container.wait_for_state("one", "up")
    time.sleep(0.2)
    container.kill(signal.SIGUSR1)
    assert container.wait_for_mark("one") == "usr1\n"
    assert container.wait_for_mark("two") == "usr1\n"
    assert container.proc is not None and container.proc.poll() is None
    assert "SIGUSR1: forwarded to one, two" in container.log
    assert container.stop() == 0


def test_kill_9_of_a_service_is_logged_with_the_signal_and_restarted(
    container: Container,
) -> None:
    container.service("victim", SLEEPER)
    container.service("bystander", "exec sleep 1001\n")  # two services: not single-process
    container.start()
    first = container.wait_for_state("victim", "up")
    victim = [p for p, c in container.processes() if c == "sleep 1000"]
    assert len(victim) == 1
    killed_at = time.monotonic()
    os.kill(victim[0], signal.SIGKILL)
    container.wait_for_log("service victim: killed by SIGKILL")
    wait_until(
        lambda: container.status()["victim"]["pid"] not in (None, first["pid"]), 2, "restart"
    )
    assert time.monotonic() - killed_at < 2
    assert container.status()["victim"]["restarts"] == 1
    assert container.stop() == 0


def test_idle_pid1_is_not_woken_up(container: Container) -> None:
    for name in ("a", "b", "c"):
        container.service(name, SLEEPER)
    container.start()
    for name in ("a", "b", "c"):
        container.wait_for_state(name, "up")
    time.sleep(0.5)
    before = _context_switches(container.pid)
    time.sleep(10)
    after = _context_switches(container.pid)
    assert after - before <= 1, f"{after - before} context switches in 10 s"
    assert container.stop() == 0


def _context_switches(pid: int) -> int:
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
            total += int(line.split()[1])
    return total
