"""`lightbase <command>`: argument parsing and dispatch only. The one place that exits."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from . import __version__
from .errors import EXIT_INTERNAL, LightbaseError, UsageError
from .layout import Layout
from .log import LEVEL_NAMES, Level, format_line, parse_level

RUN_DESCRIPTION = """\
Prepare the container and run it: validate the container tree, prepare the run dir, load the
environment (process environment first, then ROOT/environment/ files in lexicographic order;
the first definition of a variable wins), run each service's startup.sh in dependency order,
then supervise each service's process.sh (and MAIN_COMMAND, if given) as PID 1.
"""

RUN_EPILOG = """\
environment variables:
  CONTAINER_ROOT              container root (default /container); --root wins
  CONTAINER_RUN_DIR           run dir (default ROOT/run); --run-dir wins
  CONTAINER_STATE_DIR         state dir (default RUN_DIR/state)
  CONTAINER_LOG_LEVEL         log level when --loglevel is absent (name or 0-5)
  CONTAINER_SECRET_NAMES      comma-separated words marking secret variable names: a whole
                              _-part or the end of the name; WORD$ only at the end (default
                              PASSWORD,PASSWD,SECRET,CREDENTIAL,CREDENTIALS,PRIVATE,TOKEN$,KEY$)
  KILL_PROCESS_TIMEOUT        seconds all services get to stop, together (default 7)
  KILL_ALL_PROCESSES_TIMEOUT  seconds left-over processes get after SIGTERM (default 2)
  The last two may also be set in environment files.

exit codes:
  0    the container was asked to stop (SIGTERM, SIGINT, SIGQUIT), or everything ended well
  N    a startup script failed with code N; a critical service, the only service, or
       MAIN_COMMAND ended with code N (128+S when killed by signal S)
  2    bad command line
  70   internal error (a bug: a traceback is printed)
  78   configuration error (bad service.yaml, environment file, option value, ...;
       --supervisor runit without runit installed)
"""


HANDLED_SIGNALS = (
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGHUP,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
    signal.SIGCHLD,
)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so `main` stays the one place that exits."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            sys.stderr.write(message)
        raise SystemExit(status)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # Given no width, argparse imports shutil (and zlib, bz2, lzma) to ask for it, once
        # per argument added: a tenth of the boot of `lightbase run`.
        return self.formatter_class(prog=self.prog, width=_help_width())


def _help_width() -> int:
    """What argparse gets from shutil.get_terminal_size(): COLUMNS, the terminal, or 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns if columns > 0 else 80) - 2


def _seconds(text: str) -> float:
    """A number of seconds >= 0 (NaN and infinity refused) for argparse."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def _run_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "run",
        help="prepare and run the container (the image's entrypoint)",
        description=RUN_DESCRIPTION,
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [OPTIONS] [-- MAIN_COMMAND [ARGS...]]",
    )
    p.add_argument("--root", metavar="DIR", help="container root (default /container)")
    p.add_argument("--run-dir", metavar="DIR", help="run dir (default ROOT/run)")
    p.add_argument(
        "-l",
        "--loglevel",
        metavar="LEVEL",
        help=f"one of {', '.join(LEVEL_NAMES)}, or 0-5 (default info, or CONTAINER_LOG_LEVEL)",
    )
    flag = p.add_argument
    flag("--skip-env-files", action="store_true", help="ignore ROOT/environment/ files")
    flag("--skip-startup-files", action="store_true", help="do not run startup.sh scripts")
    flag("--skip-process-files", action="store_true", help="do not start process.sh services")
    flag("--skip-finish-files", action="store_true", help="do not run finish.sh scripts")
    flag(
        "--run-only",
        action="store_true",
        help="run only MAIN_COMMAND: no startup, process or finish scripts",
    )
    flag(
        "--keep-startup-env",
        action="store_true",
        help="keep *.startup.* variables and files after startup",
    )
    flag(
        "--copy-service",
        action="store_true",
        help="run scripts from a fresh copy of ROOT/service in RUN_DIR/service",
    )
    flag("--wait-state", metavar="NAME", help="first wait until STATE_DIR/NAME exists")
    flag(
        "--wait-first-startup",
        action="store_true",
        help="first wait until the first startup of this container is done",
    )
    flag(
        "--wait-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=60.0,
        help="how long the two waits above may take (default 60)",
    )
    flag(
        "--keepalive",
        action="store_true",
        help="keep running after every process has ended, until stopped",
    )
    flag(
        "--dont-touch-etc-hosts",
        action="store_true",
        help="do not add the hostname to /etc/hosts when missing",
    )
    flag(
        "-k",
        "--no-kill-all-on-exit",
        action="store_true",
        help="leave other processes alone when exiting (default: TERM, then KILL them)",
    )
    flag(
        "--log-prefix",
        action="store_true",
        help="prefix each line a service prints with its name",
    )
    flag(
        "--supervisor",
        choices=("lightbase", "runit"),
        default="lightbase",
        help="who supervises the processes: lightbase (default), or runit's runsvdir over "
        "RUN_DIR/process/NAME/run links (needs runit installed; see docs/runit.md)",
    )
    p.add_argument("main_command", nargs="*", metavar="MAIN_COMMAND", help=argparse.SUPPRESS)


def _env_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "env",
        help="print the resolved environment (secrets redacted)",
        description="Resolve the environment as `lightbase run` would and print it, "
        "with secret values shown as ***.",
    )
    p.add_argument("--root", metavar="DIR", help="container root (default /container)")
    p.add_argument("--explain", metavar="NAME", help="say where NAME's value comes from")
    p.add_argument("--skip-env-files", action="store_true", help="ignore environment files")


def _sv_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser(
        "sv",
        help="ask the running supervisor about services, or tell it what to do",
        description="Talk to the supervisor through RUN_DIR/control.sock.",
        epilog="exit codes: 0 done; 1 refused, unknown service or not ready in time; "
        "2 bad command line; 3 lightbase is not running",
    )
    # --root and --run-dir work before or after the verb (`sv status --root X`).
    p.add_argument("--run-dir", metavar="DIR", help="run dir (default ROOT/run)")
    p.add_argument("--root", metavar="DIR", help="container root (default /container)")
    located = argparse.ArgumentParser(add_help=False)
    located.add_argument("--run-dir", metavar="DIR", default=argparse.SUPPRESS, help="run dir")
    located.add_argument("--root", metavar="DIR", default=argparse.SUPPRESS, help="root")
    verbs = p.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    status = verbs.add_parser("status", help="one line per service", parents=[located])
    status.add_argument("--json", action="store_true", help="print the raw status as JSON")
    status.add_argument("names", nargs="*", metavar="NAME")
    check = verbs.add_parser("check", help="wait until the services are ready", parents=[located])
    check.add_argument("-w", "--wait", type=_seconds, default=7.0, metavar="SECONDS")
    check.add_argument("names", nargs="+", metavar="NAME")
    for verb, text in (
        ("up", "start and keep running"),
        ("down", "stop and keep stopped"),
        ("restart", "stop, then start at once"),
        ("once", "start, do not restart"),
        ("stop", "same as down"),
    ):
        verb_parser = verbs.add_parser(verb, help=text, parents=[located])
        verb_parser.add_argument("names", nargs="+", metavar="NAME")
    sig = verbs.add_parser(
        "signal", help="send a signal to the services' process groups", parents=[located]
    )
    sig.add_argument("signal", metavar="SIGNAL")
    sig.add_argument("names", nargs="+", metavar="NAME")


def _health_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    health = sub.add_parser(
        "health",
        help="exit 0 when every service that should run is up and ready",
        description="For HEALTHCHECK and Kubernetes probes: exit 0 when lightbase has "
        "finished starting and every service that should run is up and ready, 1 otherwise.",
    )
    health.add_argument("--run-dir", metavar="DIR", help="run dir (default ROOT/run)")
    health.add_argument("--root", metavar="DIR", help="container root (default /container)")


SUBPARSERS = {"run": _run_parser, "env": _env_parser, "sv": _sv_parser, "health": _health_parser}


def build_parser(only: str | None = None) -> _Parser:
    """The command line; with `only` (a command name), just that command's parser: all
    `lightbase run` needs, without the cost of building the others at every boot."""
    parser = _Parser(prog="lightbase", description="An init and supervisor for containers.")
    parser.add_argument("--version", action="version", version=f"lightbase {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in SUBPARSERS.items():
        if only is None or name == only:
            add(sub)
    return parser


def reject_joined_options(args: Sequence[str]) -> None:
    """`"--loglevel debug"` as one argument is a Kubernetes `args` mistake: say so."""
    for arg in args:
        if arg == "--":
            return
        if arg.startswith("-") and any(c.isspace() for c in arg):
            raise UsageError(
                f"lightbase: {arg!r} is one argument holding several words; pass each option "
                "and value as a separate argument (in Kubernetes: one list item each)"
            )


# --- commands ---------------------------------------------------------------------------------


def cmd_run(ns: argparse.Namespace) -> int:
    from .lifecycle import RunOptions, boot
    from .supervisor.runit import Supervision

    level_text = ns.loglevel or os.environ.get("CONTAINER_LOG_LEVEL") or "info"
    try:
        level = parse_level(level_text)
    except ValueError as exc:
        source = "--loglevel" if ns.loglevel else "CONTAINER_LOG_LEVEL"
        raise UsageError(f"lightbase run: {source}: {exc}") from None
    options = RunOptions(
        root=ns.root,
        run_dir=ns.run_dir,
        loglevel=level,
        skip_env_files=ns.skip_env_files,
        skip_startup_files=ns.skip_startup_files,
        skip_process_files=ns.skip_process_files,
        skip_finish_files=ns.skip_finish_files,
        run_only=ns.run_only,
        keep_startup_env=ns.keep_startup_env,
        copy_service=ns.copy_service,
        supervisor=Supervision(ns.supervisor),
        wait_state=ns.wait_state,
        wait_first_startup=ns.wait_first_startup,
        wait_timeout=ns.wait_timeout,
        keepalive=ns.keepalive,
        dont_touch_etc_hosts=ns.dont_touch_etc_hosts,
        kill_all_on_exit=not ns.no_kill_all_on_exit,
        log_prefix=ns.log_prefix,
        main_command=ns.main_command,
    )
    if options.run_only and not options.main_command:
        raise UsageError("lightbase run: --run-only needs a MAIN_COMMAND after --")
    return boot(options, os.environ)


def cmd_env(ns: argparse.Namespace) -> int:
    from . import env
    from .log import Redactor

    layout = Layout.resolve(os.environ, ns.root)
    if not layout.root.is_dir():
        raise LightbaseError(f"container root {layout.root} is not a directory", exit_code=78)
    environment = env.load(layout, os.environ, skip_files=ns.skip_env_files)
    redact = Redactor.from_environment(environment.as_dict())
    if ns.explain:
        sys.stdout.write(env.explain(environment, ns.explain, redact))
    else:
        sys.stdout.write(env.render(environment, redact))
    return 0


def cmd_sv(ns: argparse.Namespace) -> int:
    from .svcmd import run_sv

    return run_sv(ns, Layout.resolve(os.environ, ns.root, ns.run_dir))


def cmd_health(ns: argparse.Namespace) -> int:
    from .svcmd import health

    return health(Layout.resolve(os.environ, ns.root, ns.run_dir))


COMMANDS = {"run": cmd_run, "env": cmd_env, "sv": cmd_sv, "health": cmd_health}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        # PID 1 drops signals it has no handler for; blocked ones wait instead. Block them until
        # the supervisor's handlers are in place, so a `docker stop` right after start is kept.
        signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
    command = None
    try:
        reject_joined_options(args)
        ns = build_parser(args[0] if args[:1] and args[0] in SUBPARSERS else None).parse_args(args)
        command = ns.command
        code = COMMANDS[command](ns)
        if command == "run" and argv is None:
            # Everything is stopped and reaped: leave now. Tearing the interpreter down would
            # keep the container alive ~30 ms longer for nothing.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except LightbaseError as exc:
        message = str(exc)
        if not message.startswith("lightbase"):
            message = f"lightbase: {message}"
        # The entrypoint's errors belong in its log, in the log's format.
        sys.stderr.write(format_line(Level.ERROR, message) if command == "run" else message + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `lightbase sv status | head`: the reader has gone, and that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit-time flush does not fail again
        return 128 + signal.SIGPIPE
    except Exception:
        import traceback  # only for a bug: it pulls in linecache and tokenize

        traceback.print_exc()
        print(f"lightbase: internal error (exit code {EXIT_INTERNAL})", file=sys.stderr)
        return EXIT_INTERNAL
