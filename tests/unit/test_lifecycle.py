"""Lifecycle steps that need no PID namespace: waits, /etc/hosts, timeouts from the environment."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from lightbase.errors import ConfigError, LightbaseError
from lightbase.layout import Layout
from lightbase.lifecycle import RunOptions, _seconds, add_hostname_to_etc_hosts, wait_for_state
from lightbase.log import Level, Logger


def _layout(tmp_path: Path) -> Layout:
    return Layout.resolve({}, root=str(tmp_path / "container"))


def test_wait_state_returns_once_the_state_file_appears(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    layout.state_dir.mkdir(parents=True)
    timer = threading.Timer(0.2, (layout.state_dir / "ldap-ready").touch)
    timer.start()
    started = time.monotonic()
    wait_for_state(layout, RunOptions(wait_state="ldap-ready"), Logger(Level.NONE))
    assert 0.15 < time.monotonic() - started < 2.0


def test_wait_first_startup_times_out_naming_the_missing_file(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    options = RunOptions(wait_first_startup=True, wait_timeout=0.2)
    with pytest.raises(LightbaseError) as caught:
        wait_for_state(layout, options, Logger(Level.NONE))
    assert str(caught.value) == f"still missing after 0.2 s: {layout.first_startup_done}"


def test_hostname_is_added_to_etc_hosts_once(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1\tlocalhost\n")
    for _ in range(3):
        add_hostname_to_etc_hosts(Logger(Level.NONE), hosts)
    assert hosts.read_text() == f"127.0.0.1\tlocalhost\n127.0.1.1\t{socket.gethostname()}\n"


def test_hostname_already_present_is_left_alone(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    text = f"10.0.0.5 {socket.gethostname()} # set by the runtime\n"
    hosts.write_text(text)
    add_hostname_to_etc_hosts(Logger(Level.NONE), hosts)
    assert hosts.read_text() == text


def test_unwritable_etc_hosts_is_not_an_error(tmp_path: Path) -> None:
    add_hostname_to_etc_hosts(Logger(Level.NONE), tmp_path / "missing" / "hosts")


@pytest.mark.parametrize(("text", "seconds"), [("", 7.0), ("3", 3.0), ("0.5", 0.5), ("0", 0.0)])
def test_kill_process_timeout_from_the_environment(text: str, seconds: float) -> None:
    values = {"KILL_PROCESS_TIMEOUT": text} if text else {}
    assert _seconds(values, "KILL_PROCESS_TIMEOUT", 7.0) == seconds


@pytest.mark.parametrize("text", ["soon", "-1", "inf", "nan"])
def test_bad_kill_process_timeout_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _seconds({"KILL_PROCESS_TIMEOUT": text}, "KILL_PROCESS_TIMEOUT", 7.0)
    assert str(caught.value) == (
        f"KILL_PROCESS_TIMEOUT: expected a number of seconds >= 0, got {text!r}"
    )
    assert caught.value.exit_code == 78
