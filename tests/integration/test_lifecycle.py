"""The boot sequence of `lightbase run` end to end, as PID 1 of a PID namespace."""

from __future__ import annotations

import json
import signal
import time

from .conftest import Container, wait_until


def test_startup_failure_stops_the_boot_with_the_scripts_code(container: Container) -> None:
    container.service("a", "exec sleep 1000\n", startup="echo a-ran > $MARKS/a\n")
    container.service("b", "exec sleep 1000\n", startup="exit 4\n")
    container.service("c", "exec sleep 1000\n", startup="echo c-ran > $MARKS/c\n")
    assert container.start().wait() == 4
    assert container.mark("a").exists()
    assert not container.mark("c").exists()
    assert "service/b/startup.sh exited with code 4" in container.log
    assert "starting (pid" not in container.log


def test_startup_scripts_run_in_dependency_order_then_by_name(container: Container) -> None:
    for name, deps in (("alpha", ["zulu"]), ("mike", []), ("zulu", [])):
        container.service(
            name,
            startup=f"echo {name} >> $MARKS/order\n",
            config={"depends_on": deps} if deps else None,
        )
    assert container.start().wait() == 0
    assert container.mark("order").read_text() == "mike\nzulu\nalpha\n"


def test_bad_service_yaml_is_a_configuration_error_before_anything_runs(
    container: Container,
) -> None:
    container.service("web", "exec sleep 1000\n", startup="touch $MARKS/ran\n")
    (container.root / "service/web/service.yaml").write_text("restart: sometimes\n")
    assert container.start().wait() == 78
    assert (
        "service/web/service.yaml: restart: expected one of always, on-failure, never, "
        "got 'sometimes'" in container.log
    )
    assert not container.mark("ran").exists()


def test_single_process_container_exits_with_its_code(container: Container) -> None:
    container.service("only", "exit 5\n")
    assert container.start().wait() == 5


def test_single_process_killed_by_signal_exits_128_plus_signal(container: Container) -> None:
    container.service("only", "kill -USR2 $$\n")
    assert container.start().wait() == 128 + signal.SIGUSR2


def test_main_command_runs_after_services_and_its_code_is_the_exit_code(
    container: Container,
) -> None:
    container.service(
        "svc",
        "trap 'echo stopped > $MARKS/svc; exit 0' TERM\ntouch $MARKS/svc-up\n"
        "while :; do sleep 0.1; done\n",
    )
    main = "until [ -e $MARKS/svc-up ]; do sleep 0.05; done; echo $GREETING > $MARKS/main; exit 3"
    code = container.start("--", "sh", "-c", main, env={"GREETING": "hi"}).wait()
    assert code == 3
    assert container.mark("main").read_text() == "hi\n"
    assert container.mark("svc").read_text() == "stopped\n"


def test_sigterm_during_a_startup_script_reaches_it_and_nothing_else_starts(
    container: Container,
) -> None:
    container.service(
        "slow",
        "exec sleep 1000\n",
        startup="trap 'echo term > $MARKS/slow; exit 1' TERM\nwhile :; do sleep 0.1; done\n",
    )
    container.service("zz-later", "exec sleep 1000\n", startup="touch $MARKS/later\n")
    container.start()
    container.wait_for_log("running service/slow/startup.sh")
    time.sleep(0.3)
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    assert container.mark("slow").read_text() == "term\n"
    assert not container.mark("later").exists()
    assert "starting (pid" not in container.log


def test_second_sigterm_kills_at_once(container: Container) -> None:
    container.service("stubborn", "trap '' TERM\nwhile :; do sleep 0.1; done\n")
    container.service("other", "exec sleep 1000\n")
    container.start()
    container.wait_for_state("stubborn", "up")
    container.kill(signal.SIGTERM)
    container.wait_for_log("SIGTERM received: stopping")
    sent = time.monotonic()
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    assert time.monotonic() - sent < 2.0
    assert "SIGTERM received again: killing everything now" in container.log


def test_processes_get_the_environment_without_startup_only_variables(
    container: Container,
) -> None:
    container.env_file("default.yaml", "COLOR: blue\nMODE: '0755'\nDB_PASSWORD: hunter22\n")
    container.env_file("boot.startup.yaml", "BOOT_ONLY: yes-please\n")
    container.service(
        "probe",
        "env > $MARKS/process-env\nexec sleep 1000\n",
        startup="env > $MARKS/startup-env\n",
    )
    container.service("other", "exec sleep 1000\n")
    container.start("--loglevel", "trace", env={"COLOR": "red"})
    container.wait_for_mark("process-env")
    container.stop()
    startup_env = container.mark("startup-env").read_text().splitlines()
    process_env = container.mark("process-env").read_text().splitlines()
    assert "BOOT_ONLY=yes-please" in startup_env
    assert not any(line.startswith("BOOT_ONLY=") for line in process_env)
    assert "COLOR=red" in process_env  # the process environment wins over files
    assert "MODE=0755" in process_env
    assert "CONTAINER_LOG_LEVEL=5" in process_env
    assert f"CONTAINER_SERVICE_DIR={container.root}/service" in process_env
    assert "hunter22" not in container.log
    assert "***" in container.log
    exported = json.loads((container.root / "run/environment.json").read_text())
    assert "BOOT_ONLY" not in exported
    assert not (container.root / "environment/boot.startup.yaml").exists()


def test_a_second_start_on_the_same_tree_is_clean(container: Container) -> None:
    container.service("svc", "exec sleep 1000\n", startup="echo started >> $MARKS/starts\n")
    container.service("other", "exec sleep 1000\n")
    container.start()
    container.wait_for_state("svc", "up")
    assert container.stop() == 0
    first_log = container.log
    container.start()
    container.wait_for_state("svc", "up")
    assert container.stop() == 0
    assert container.mark("starts").read_text() == "started\nstarted\n"
    for noise in ("File exists", "Traceback", "ERROR"):
        assert noise not in container.log and noise not in first_log
    assert (container.root / "run/state/first-startup-done").exists()


def test_startup_script_passes_a_variable_to_processes(container: Container) -> None:
    container.service(
        "maker",
        'echo "$MADE_BY_STARTUP" > $MARKS/seen\nexec sleep 1000\n',
        startup="printf 'from startup' > \"$CONTAINER_RUN_DIR/environment/MADE_BY_STARTUP\"\n",
    )
    container.service("other", "exec sleep 1000\n")
    container.start()
    assert container.wait_for_mark("seen") == "from startup\n"
    assert container.stop() == 0


def test_joined_option_list_is_rejected_with_advice(container: Container) -> None:
    assert container.start("--loglevel debug").wait() == 2
    assert "is one argument holding several words" in container.log


def test_copy_service_runs_every_script_from_the_copy(container: Container) -> None:
    container.service(
        "svc",
        'echo "$0" > $MARKS/process\nexec sleep 1000\n',
        startup='echo "$0" > $MARKS/startup\n',
    )
    container.service("other", "exec sleep 1000\n")
    container.start("--copy-service")
    copy = container.root / "run" / "service" / "svc"
    assert container.wait_for_mark("startup") == f"{copy}/startup.sh\n"
    assert container.wait_for_mark("process") == f"{copy}/process.sh\n"
    assert container.stop() == 0


def test_keepalive_keeps_the_container_after_every_service_ended(container: Container) -> None:
    for name in ("one", "two"):
        container.service(name, "exit 0\n", config={"restart": "never"})
    container.start("--keepalive")
    container.wait_for_state("one", "finished")
    container.wait_for_state("two", "finished")
    time.sleep(0.3)
    assert container.proc is not None and container.proc.poll() is None
    assert container.stop() == 0


def test_without_keepalive_the_container_ends_when_every_service_ended(
    container: Container,
) -> None:
    container.service("one", "exit 0\n", config={"restart": "never"})
    container.service("two", "sleep 0.3; exit 0\n", config={"restart": "never"})
    assert container.start().wait() == 0
    assert "every service has ended: stopping" in container.log


def test_sigterm_ends_a_wait_for_a_state_at_once(container: Container) -> None:
    container.start("--wait-state", "never", "--wait-timeout", "30")
    container.wait_for_log("waiting for")
    sent = time.monotonic()
    container.kill(signal.SIGTERM)
    assert container.wait() == 0
    assert time.monotonic() - sent < 2.0


def test_sv_down_during_startup_keeps_the_service_down(container: Container) -> None:
    container.service("slow", "exec sleep 1000\n", startup="sleep 1\n")
    container.service("later", "exec sleep 1000\n")
    container.start()
    container.wait_for_log("running service/slow/startup.sh")
    wait_until(lambda: (container.root / "run" / "control.sock").exists(), 5, "the socket")
    assert container.sv("down", "later").returncode == 0
    container.wait_for_state("slow", "up")
    time.sleep(0.3)
    assert container.status()["later"]["state"] == "down"
    assert container.stop() == 0


def test_a_second_run_on_a_running_tree_is_refused_or_a_guest(container: Container) -> None:
    import subprocess

    from .conftest import LIGHTBASE

    container.service("svc", "exec sleep 1000\n")
    container.service("other", "exec sleep 1000\n")
    container.start()
    container.wait_for_state("svc", "up")
    base = [LIGHTBASE, "run", "--root", str(container.root), "--dont-touch-etc-hosts"]
    second = subprocess.run(base, capture_output=True, text=True, timeout=20, check=False)
    assert second.returncode == 78
    assert "lightbase already runs with run dir" in second.stderr
    guest = subprocess.run(
        [*base, "--run-only", "--", "sh", "-c", "echo guest-$CONTAINER_ROOT"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert guest.returncode == 0, guest.stderr
    assert guest.stdout == f"guest-{container.root}\n"
    assert container.status()["svc"]["state"] == "up"  # the first one still answers
    assert container.stop() == 0
