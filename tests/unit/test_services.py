"""service.yaml validation (every key, valid and not), discovery of service directories, and
start order."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from lightbase.errors import ConfigError
from lightbase.services import (
    FORWARDABLE_SIGNALS,
    Readiness,
    ReadyKind,
    Restart,
    Service,
    ServiceConfig,
    discover,
    load_config,
    order,
    parse_config,
    parse_signal,
)

WHERE = "service/web/service.yaml"
KNOWN_KEYS = (
    "depends_on, ready, ready_timeout, restart, critical, stop_signal, stop_timeout, user, "
    "log_prefix, reload_signal, forward_signals, finish_timeout, backoff_max, stable_after"
)


def _error(data: object) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, WHERE)
    assert caught.value.exit_code == 78
    return str(caught.value)


# --- defaults and valid values ------------------------------------------------------------------


def test_no_settings_mean_the_defaults() -> None:
    expected = ServiceConfig(
        depends_on=(),
        ready=Readiness(ReadyKind.STARTED),
        ready_timeout=60.0,
        restart=None,
        critical=None,
        stop_signal=signal.SIGTERM,
        stop_timeout=None,
        user=None,
        log_prefix=None,
        reload_signal=None,
        forward_signals=(signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH),
        finish_timeout=5.0,
        backoff_max=30.0,
        stable_after=10.0,
    )
    assert parse_config(None, WHERE) == expected
    assert parse_config({}, WHERE) == expected
    assert expected.forward_signals == FORWARDABLE_SIGNALS


@pytest.mark.parametrize(
    ("key", "value", "field_value"),
    [
        ("depends_on", "db", ("db",)),
        ("depends_on", ["db", "cache"], ("db", "cache")),
        ("depends_on", [], ()),
        ("ready", "started", Readiness()),
        ("ready_timeout", 5, 5.0),
        ("ready_timeout", 0.5, 0.5),
        ("ready_timeout", 0, 0.0),
        ("restart", "always", Restart.ALWAYS),
        ("restart", "on-failure", Restart.ON_FAILURE),
        ("restart", "never", Restart.NEVER),
        ("critical", True, True),
        ("critical", False, False),
        ("stop_signal", "INT", signal.SIGINT),
        ("stop_timeout", 3, 3.0),
        ("user", "www-data", "www-data"),
        ("user", 1000, "1000"),
        ("user", "1000:1000", "1000:1000"),
        ("log_prefix", True, True),
        ("reload_signal", "USR2", signal.SIGUSR2),
        (
            "forward_signals",
            ["HUP", "SIGUSR1", 12],
            (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2),
        ),
        ("forward_signals", [], ()),
        ("finish_timeout", 1.5, 1.5),
        ("backoff_max", 2, 2.0),
        ("stable_after", 60, 60.0),
    ],
)
def test_each_key_accepts_its_values(key: str, value: object, field_value: object) -> None:
    assert getattr(parse_config({key: value}, WHERE), key) == field_value


def test_a_full_service_yaml_loads_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text(
        "depends_on: [db]\n"
        "ready: {tcp: 8080}\n"
        "ready_timeout: 10\n"
        "restart: on-failure\n"
        "critical: true\n"
        "stop_signal: SIGQUIT\n"
        "stop_timeout: 4\n"
        "user: nobody\n"
        "log_prefix: false\n"
        "reload_signal: USR1\n"
        "forward_signals: [HUP]\n"
        "finish_timeout: 2\n"
        "backoff_max: 8\n"
        "stable_after: 3\n"
    )
    assert load_config(path, WHERE) == ServiceConfig(
        depends_on=("db",),
        ready=Readiness(ReadyKind.TCP, port=8080, host="127.0.0.1"),
        ready_timeout=10.0,
        restart=Restart.ON_FAILURE,
        critical=True,
        stop_signal=signal.SIGQUIT,
        stop_timeout=4.0,
        user="nobody",
        log_prefix=False,
        reload_signal=signal.SIGUSR1,
        forward_signals=(signal.SIGHUP,),
        finish_timeout=2.0,
        backoff_max=8.0,
        stable_after=3.0,
    )


def test_an_empty_service_yaml_means_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text("# nothing to change\n")
    assert load_config(path, WHERE) == ServiceConfig()


# --- invalid values: the message names the file and the key ------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"restrat": "always"}, f"unknown key 'restrat' (known keys: {KNOWN_KEYS})"),
        ({1: "x"}, f"unknown key 1 (known keys: {KNOWN_KEYS})"),
        ({"depends_on": None}, "depends_on: expected a service name or a list of them, got None"),
        ({"depends_on": [""]}, "depends_on: expected a service name or a list of them, got ['']"),
        (
            {"depends_on": ["db", 3]},
            "depends_on: expected a service name or a list of them, got ['db', 3]",
        ),
        (
            {"depends_on": {"db": 1}},
            "depends_on: expected a service name or a list of them, got {'db': 1}",
        ),
        ({"ready_timeout": -1}, "ready_timeout: expected a number of seconds >= 0, got -1"),
        ({"ready_timeout": "5"}, "ready_timeout: expected a number of seconds >= 0, got '5'"),
        ({"ready_timeout": True}, "ready_timeout: expected a number of seconds >= 0, got True"),
        (
            {"restart": "on_failure"},
            "restart: expected one of always, on-failure, never, got 'on_failure'",
        ),
        ({"restart": False}, "restart: expected one of always, on-failure, never, got False"),
        ({"critical": "yes"}, "critical: expected true or false, got 'yes'"),
        ({"critical": 1}, "critical: expected true or false, got 1"),
        ({"stop_signal": "FOO"}, "stop_signal: no such signal: 'FOO'"),
        ({"stop_signal": 99}, "stop_signal: no such signal: 99"),
        ({"stop_signal": 1.5}, "stop_signal: expected a signal name or number, got float"),
        ({"stop_timeout": -0.5}, "stop_timeout: expected a number of seconds >= 0, got -0.5"),
        ({"user": True}, "user: expected a string, got True"),
        ({"user": ["root"]}, "user: expected a string, got ['root']"),
        ({"log_prefix": "true"}, "log_prefix: expected true or false, got 'true'"),
        ({"reload_signal": "RELOAD"}, "reload_signal: no such signal: 'RELOAD'"),
        ({"forward_signals": "HUP"}, "forward_signals: expected a list of signal names, got 'HUP'"),
        ({"forward_signals": ["HUP", "NOPE"]}, "forward_signals: no such signal: 'NOPE'"),
        (
            {"finish_timeout": "soon"},
            "finish_timeout: expected a number of seconds >= 0, got 'soon'",
        ),
        ({"backoff_max": None}, "backoff_max: expected a number of seconds >= 0, got None"),
        ({"stable_after": -3}, "stable_after: expected a number of seconds >= 0, got -3"),
    ],
)
def test_a_bad_value_names_file_and_key(data: dict[object, object], message: str) -> None:
    assert _error(data) == f"{WHERE}: {message}"


@pytest.mark.parametrize(("data", "kind"), [(["restart"], "list"), ("always", "str"), (3, "int")])
def test_a_service_yaml_that_is_not_a_mapping_is_an_error(data: object, kind: str) -> None:
    assert _error(data) == f"{WHERE}: expected a mapping of settings, got {kind}"


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text("restart: always\ncritical: true\n  stop_signal: TERM\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, WHERE)
    # libyaml ends the problem "in this context", the pure-Python loader "here".
    assert str(caught.value).startswith(f"{WHERE}:3: cannot parse: mapping values are not allowed ")


def test_a_python_tag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text("user: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(ConfigError, match=r"^service/web/service\.yaml:1: cannot parse: "):
        load_config(path, WHERE)


def test_an_unreadable_service_yaml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.yaml", WHERE)
    assert str(caught.value) == f"{WHERE}: cannot read: No such file or directory"


def test_a_duplicate_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text("ready: {tcp: 80}\nready: {tcp: 8080}\n")
    with pytest.raises(ConfigError, match="ready"):
        load_config(path, WHERE)


# --- signals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TERM", signal.SIGTERM),
        ("SIGTERM", signal.SIGTERM),
        ("sigterm", signal.SIGTERM),
        ("term", signal.SIGTERM),
        (" TERM ", signal.SIGTERM),
        ("15", signal.SIGTERM),
        (15, signal.SIGTERM),
        ("HUP", signal.SIGHUP),
        ("KILL", signal.SIGKILL),
        ("9", signal.SIGKILL),
        ("USR1", signal.SIGUSR1),
        ("WINCH", signal.SIGWINCH),
        ("RTMIN", signal.SIGRTMIN),
    ],
)
def test_parse_signal_accepts_names_with_or_without_sig_and_numbers(
    value: object, expected: signal.Signals
) -> None:
    assert parse_signal(value) is expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("FOO", "no such signal: 'FOO'"),
        ("SIGFOO", "no such signal: 'SIGFOO'"),
        ("", "no such signal: ''"),
        ("-9", "no such signal: '-9'"),
        (0, "no such signal: 0"),
        ("0", "no such signal: 0"),
        (99, "no such signal: 99"),
        ("99", "no such signal: 99"),
        (True, "expected a signal name or number, got True"),
        (1.5, "expected a signal name or number, got float"),
        (None, "expected a signal name or number, got NoneType"),
        (["TERM"], "expected a signal name or number, got list"),
    ],
)
def test_parse_signal_rejects_what_is_not_a_signal(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_signal(value)
    assert str(caught.value) == message


# --- readiness forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "described"),
    [
        ("started", Readiness(ReadyKind.STARTED), "started"),
        (
            {"tcp": 8080},
            Readiness(ReadyKind.TCP, port=8080, host="127.0.0.1"),
            "tcp 127.0.0.1:8080",
        ),
        (
            {"tcp": "db.local:5432"},
            Readiness(ReadyKind.TCP, port=5432, host="db.local"),
            "tcp db.local:5432",
        ),
        ({"tcp": "0.0.0.0:1"}, Readiness(ReadyKind.TCP, port=1, host="0.0.0.0"), "tcp 0.0.0.0:1"),
        ({"tcp": 65535}, Readiness(ReadyKind.TCP, port=65535), "tcp 127.0.0.1:65535"),
        (
            {"cmd": "pg_isready -q"},
            Readiness(ReadyKind.CMD, command=("/bin/sh", "-c", "pg_isready -q")),
            "cmd /bin/sh -c pg_isready -q",
        ),
        (
            {"cmd": ["redis-cli", "ping"]},
            Readiness(ReadyKind.CMD, command=("redis-cli", "ping")),
            "cmd redis-cli ping",
        ),
        ({"notify_fd": 3}, Readiness(ReadyKind.NOTIFY_FD, fd=3), "notify_fd fd 3"),
        ({"notify_fd": 255}, Readiness(ReadyKind.NOTIFY_FD, fd=255), "notify_fd fd 255"),
    ],
)
def test_ready_forms(value: object, expected: Readiness, described: str) -> None:
    readiness = parse_config({"ready": value}, WHERE).ready
    assert readiness == expected
    assert readiness.describe() == described


_READY_FORMS = "expected 'started' or one of {tcp: PORT}, {cmd: COMMAND}, {notify_fd: N}, got "


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tcp", _READY_FORMS + "'tcp'"),
        ({}, _READY_FORMS + "{}"),
        ({"tcp": 80, "cmd": "true"}, _READY_FORMS + "{'tcp': 80, 'cmd': 'true'}"),
        ({"http": "/health"}, "unknown readiness check 'http' (use tcp, cmd or notify_fd)"),
        ({"tcp": 0}, "expected a TCP port 1-65535, got 0"),
        ({"tcp": 65536}, "expected a TCP port 1-65535, got 65536"),
        ({"tcp": True}, "expected a TCP port 1-65535, got True"),
        ({"tcp": "8080"}, "expected a TCP port 1-65535, got '8080'"),
        ({"tcp": "host:http"}, "expected a TCP port 1-65535, got 'http'"),
        ({"tcp": "host:70000"}, "expected a TCP port 1-65535, got 70000"),
        ({"cmd": ""}, "cmd: expected a command string or argv list, got ''"),
        ({"cmd": "   "}, "cmd: expected a command string or argv list, got '   '"),
        ({"cmd": []}, "cmd: expected a command string or argv list, got []"),
        ({"cmd": ["ping", 1]}, "cmd: expected a command string or argv list, got ['ping', 1]"),
        ({"notify_fd": 2}, "notify_fd: expected a descriptor number 3-255, got 2"),
        ({"notify_fd": 256}, "notify_fd: expected a descriptor number 3-255, got 256"),
        ({"notify_fd": "3"}, "notify_fd: expected a descriptor number 3-255, got '3'"),
        ({"notify_fd": True}, "notify_fd: expected a descriptor number 3-255, got True"),
    ],
)
def test_bad_ready_forms_name_file_and_key(value: object, message: str) -> None:
    assert _error({"ready": value}) == f"{WHERE}: ready: {message}"


def test_ready_tcp_accepts_a_bracketed_ipv6_address() -> None:
    readiness = parse_config({"ready": {"tcp": "[::1]:8080"}}, WHERE).ready
    assert (readiness.host, readiness.port) == ("::1", 8080)


# --- discovery ----------------------------------------------------------------------------------


def _script(path: Path, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)
    return path


def test_discover_finds_service_directories_by_name(tmp_path: Path) -> None:
    service_dir = tmp_path / "service"
    web_process = _script(service_dir / "web" / "process.sh")
    web_startup = _script(service_dir / "web" / "startup.sh")
    db_install = _script(service_dir / "db" / "install.sh")
    db_finish = _script(service_dir / "db" / "finish.sh")
    (service_dir / "db" / "service.yaml").write_text("restart: never\n")
    (service_dir / ".hidden").mkdir()
    (service_dir / "README").write_text("not a service\n")
    warnings: list[str] = []
    services = discover(service_dir, warnings.append)
    assert warnings == ["service/README is not a service directory; skipped"]
    assert services == [
        Service(
            name="db",
            directory=service_dir / "db",
            install=db_install,
            finish=db_finish,
            config=ServiceConfig(restart=Restart.NEVER),
        ),
        Service(
            name="web", directory=service_dir / "web", startup=web_startup, process=web_process
        ),
    ]


def test_discover_warns_about_and_skips_scripts_that_are_not_executable(tmp_path: Path) -> None:
    service_dir = tmp_path / "service"
    _script(service_dir / "web" / "startup.sh", 0o644)
    _script(service_dir / "web" / "process.sh", 0o600)
    _script(service_dir / "web" / "finish.sh", 0o644)
    install = _script(service_dir / "web" / "install.sh", 0o644)  # run by the build, via sh
    warnings: list[str] = []
    (service,) = discover(service_dir, warnings.append)
    assert warnings == [
        "service/web/startup.sh is not executable (chmod +x it); skipped",
        "service/web/process.sh is not executable (chmod +x it); skipped",
        "service/web/finish.sh is not executable (chmod +x it); skipped",
    ]
    assert (service.startup, service.process, service.finish) == (None, None, None)
    assert service.install == install


def test_discover_shows_paths_relative_to_the_given_root(tmp_path: Path) -> None:
    _script(tmp_path / "copy" / "service" / "web" / "process.sh", 0o644)
    warnings: list[str] = []
    discover(tmp_path / "copy" / "service", warnings.append, display_root=tmp_path)
    assert warnings == ["copy/service/web/process.sh is not executable (chmod +x it); skipped"]


def test_discover_names_the_bad_service_yaml(tmp_path: Path) -> None:
    service_dir = tmp_path / "service"
    _script(service_dir / "web" / "process.sh")
    (service_dir / "web" / "service.yaml").write_text("restart: sometimes\n")
    with pytest.raises(ConfigError) as caught:
        discover(service_dir, lambda _: None)
    assert str(caught.value) == (
        "service/web/service.yaml: restart: expected one of always, on-failure, never, "
        "got 'sometimes'"
    )


def test_discover_of_a_missing_service_dir_finds_nothing(tmp_path: Path) -> None:
    assert discover(tmp_path / "service", lambda _: None) == []


# --- order --------------------------------------------------------------------------------------


def _service(name: str, *depends_on: str) -> Service:
    return Service(
        name=name, directory=Path("/c/service") / name, config=ServiceConfig(depends_on=depends_on)
    )


def test_order_puts_dependencies_first_then_sorts_by_name() -> None:
    services = [_service("app", "web"), _service("web", "db"), _service("db"), _service("cache")]
    assert [s.name for s in order(services)] == ["cache", "db", "web", "app"]


def test_order_of_independent_services_is_by_name() -> None:
    assert [s.name for s in order([_service("z"), _service("a"), _service("m")])] == [
        "a",
        "m",
        "z",
    ]


def test_order_starts_a_dependency_before_a_name_that_sorts_earlier() -> None:
    assert [s.name for s in order([_service("a", "z"), _service("z")])] == ["z", "a"]


def test_order_waits_for_every_dependency() -> None:
    services = [_service("app", "db", "queue"), _service("db"), _service("queue", "db")]
    assert [s.name for s in order(services)] == ["db", "queue", "app"]


def test_order_of_nothing_is_nothing() -> None:
    assert order([]) == []


def test_unknown_dependency_is_an_error_naming_both() -> None:
    with pytest.raises(ConfigError) as caught:
        order([_service("web", "db")])
    assert str(caught.value) == "service 'web' depends on 'db', which is not a service"


def test_self_dependency_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        order([_service("web", "web")])
    assert str(caught.value) == "service 'web' depends on itself"


def test_a_cycle_is_an_error_naming_the_services() -> None:
    with pytest.raises(ConfigError) as caught:
        order([_service("b", "a"), _service("a", "b"), _service("solo")])
    assert str(caught.value) == "dependency cycle between services: a, b"


def test_a_three_service_cycle_names_all_three() -> None:
    with pytest.raises(ConfigError) as caught:
        order([_service("x", "z"), _service("y", "x"), _service("z", "y")])
    assert str(caught.value) == "dependency cycle between services: x, y, z"


@pytest.mark.parametrize("key", ["ready_timeout", "stop_timeout", "backoff_max", "stable_after"])
@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_seconds_must_be_finite(key: str, value: str, tmp_path: Path) -> None:
    from lightbase.errors import ConfigError
    from lightbase.services import load_config

    path = tmp_path / "service.yaml"
    path.write_text(f"{key}: {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, "service/web/service.yaml")
    assert "expected a number of seconds >= 0" in str(caught.value)
    assert str(caught.value).startswith(f"service/web/service.yaml: {key}: ")
