"""Supervision features end to end: readiness, dependencies, users, output, control."""

from __future__ import annotations

import signal
import socket
import time

from .conftest import LIGHTBASE, Container, wait_until

SLEEPER = "exec sleep 1000\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dependent_starts_only_after_its_dependency_accepts_connections(
    container: Container,
) -> None:
    port = _free_port()
    container.service(
        "db",
        f"sleep 0.5\nexec python3 -c 'import socket,time; s=socket.socket(); "
        f's.bind(("127.0.0.1",{port})); s.listen(); time.sleep(1000)\'\n',
        config={"ready": {"tcp": port}},
    )
    container.service(
        "app",
        f"python3 -c 'import socket; socket.create_connection((\"127.0.0.1\",{port}))' "
        "&& echo yes > $MARKS/connected\nexec sleep 1000\n",
        config={"depends_on": ["db"]},
    )
    container.start()
    container.wait_for_mark("connected")
    log = container.log
    assert log.index("service db: up") < log.index("service app: starting")
    assert container.stop() == 0


def test_notify_fd_readiness(container: Container) -> None:
    container.service(
        "notifier", "sleep 0.3\necho >&5\nexec sleep 1000\n", config={"ready": {"notify_fd": 5}}
    )
    container.service("after", SLEEPER, config={"depends_on": "notifier"})
    container.start()
    container.wait_for_state("after", "up")
    status = container.status()
    assert status["notifier"]["ready"] is True
    assert container.stop() == 0


def test_cmd_readiness_and_sv_check(container: Container) -> None:
    container.service(
        "slowpoke",
        "sleep 0.5\ntouch $MARKS/ready\nexec sleep 1000\n",
        config={"ready": {"cmd": "test -e $MARKS/ready"}},
    )
    container.service("other", SLEEPER)
    container.start()
    container.wait_for_state("other", "up")
    result = container.sv("check", "-w", "5", "slowpoke")
    assert result.returncode == 0, result.stdout
    assert container.status()["slowpoke"]["state"] == "up"
    assert container.stop() == 0


def test_ready_timeout_names_the_service(container: Container) -> None:
    container.service(
        "never", SLEEPER, config={"ready": {"tcp": _free_port()}, "ready_timeout": 0.5}
    )
    container.service("other", SLEEPER)
    container.start()
    container.wait_for_log("service never: not ready after 0.5 s")
    assert container.stop() == 0


def test_sv_check_times_out_with_exit_code_1(container: Container) -> None:
    container.service("never", SLEEPER, config={"ready": {"tcp": _free_port()}})
    container.service("other", SLEEPER)
    container.start()
    container.wait_for_state("other", "up")
    result = container.sv("check", "-w", "0.5", "never")
    assert result.returncode == 1
    assert result.stdout.startswith("not ready: never")
    assert container.stop() == 0


def test_service_runs_as_its_user(container: Container) -> None:
    container.service(
        "unprivileged",
        "id -u > $MARKS/uid; echo $HOME $USER > $MARKS/home\nexec sleep 1000\n",
        config={"user": "nobody"},
    )
    container.marks.chmod(0o777)
    container.service("other", SLEEPER)
    container.start()
    assert container.wait_for_mark("uid") == "65534\n"
    assert container.wait_for_mark("home") == "/nonexistent nobody\n"
    assert container.stop() == 0


def test_unknown_user_is_a_configuration_error(container: Container) -> None:
    container.service("svc", SLEEPER, config={"user": "no-such-user"})
    assert container.start().wait() == 78
    assert "service/svc/service.yaml: user: unknown user 'no-such-user'" in container.log


def test_log_prefix_prefixes_every_line_with_the_service_name(container: Container) -> None:
    container.service(
        "talker",
        "printf 'one\\ntwo\\n'\nprintf 'partial'; sleep 0.2; "
        "printf ' line\\n'\necho oops >&2\nexec sleep 1000\n",
    )
    container.service("other", SLEEPER)
    container.start("--log-prefix")
    wait_until(lambda: "talker | partial line\n" in container.output, 5, "output")
    container.wait_for_log("talker | oops")
    assert container.output.count("talker | ") == 3
    assert "talker | one\ntalker | two\n" in container.output
    assert container.stop() == 0


def test_sighup_is_forwarded_as_the_reload_signal(container: Container) -> None:
    container.service(
        "reloader",
        "trap 'echo usr2 > $MARKS/reload' USR2\nwhile :; do sleep 0.1; done\n",
        config={"reload_signal": "USR2"},
    )
    container.service(
        "deaf",
        "trap 'echo hup > $MARKS/deaf' HUP\nwhile :; do sleep 0.1; done\n",
        config={"forward_signals": []},
    )
    container.start()
    container.wait_for_state("reloader", "up")
    container.wait_for_state("deaf", "up")
    time.sleep(0.2)
    container.kill(signal.SIGHUP)
    assert container.wait_for_mark("reload") == "usr2\n"
    time.sleep(0.3)
    assert not container.mark("deaf").exists()
    assert container.stop() == 0


def test_finish_script_gets_exit_code_and_signal(container: Container) -> None:
    container.service(
        "ender",
        "sleep 0.2; exit 3\n",
        finish='echo "$1 $2" >> $MARKS/finish\n',
        config={"restart": "never"},
    )
    container.service("other", SLEEPER)
    container.start()
    assert container.wait_for_mark("finish") == "3 0\n"
    container.wait_for_state("ender", "failed")
    assert container.stop() == 0


def test_sv_restart_once_and_signal(container: Container) -> None:
    container.service("svc", "trap 'echo hup >> $MARKS/hup' HUP\nwhile :; do sleep 0.1; done\n")
    container.service("other", SLEEPER)
    container.start()
    first = container.wait_for_state("svc", "up")
    assert container.sv("restart", "svc").returncode == 0
    wait_until(lambda: container.status()["svc"]["pid"] not in (None, first["pid"]), 5)
    assert container.sv("signal", "HUP", "svc").returncode == 0
    assert container.wait_for_mark("hup") == "hup\n"
    assert container.sv("once", "nosuch").returncode == 1
    assert container.stop() == 0


def test_health_is_0_only_when_every_service_is_ready(container: Container) -> None:
    import subprocess

    port = _free_port()
    container.service(
        "late",
        f"sleep 1\nexec python3 -m http.server --bind 127.0.0.1 {port}\n",
        config={"ready": {"tcp": port}},
    )
    container.service("other", SLEEPER)
    container.start()
    container.wait_for_state("other", "up")

    def health() -> int:
        return subprocess.run(
            [LIGHTBASE, "health", "--root", str(container.root)], capture_output=True, check=False
        ).returncode

    assert health() == 1
    container.wait_for_state("late", "up")
    assert health() == 0
    assert container.stop() == 0


def test_leftovers_of_a_crashed_service_are_killed_before_it_restarts(
    container: Container,
) -> None:
    container.service(
        "parent",
        "sleep 1007 &\necho $! >> $MARKS/children\nsleep 0.3\nexit 1\n",
    )
    container.service("other", SLEEPER)
    container.start()
    wait_until(
        lambda: (
            len(container.mark("children").read_text().split()) >= 2
            if container.mark("children").exists()
            else False
        ),
        10,
        "a restart",
    )
    sleeps = [c for _, c in container.processes() if c == "sleep 1007"]
    assert len(sleeps) <= 1  # only the current run's child; the first one was killed
    assert "service parent: killed what was left of its process group" in container.log
    assert container.stop() == 0
