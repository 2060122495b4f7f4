"""The command line of `lightbase run` parses the same with the run-only parser built at boot
as with the full one, and help is as wide as argparse would make it on its own."""

from __future__ import annotations

import shutil

import pytest

from lightbase.cli import _help_width, build_parser

RUN_ARGS = [
    "run",
    "--root",
    "/c",
    "-l",
    "debug",
    "--keepalive",
    "--copy-service",
    "--wait-timeout",
    "3",
    "--",
    "sh",
    "-c",
    "echo hi",
]


def test_run_only_parser_gives_the_same_namespace_as_the_full_one() -> None:
    assert build_parser("run").parse_args(RUN_ARGS) == build_parser().parse_args(RUN_ARGS)


def test_run_only_parser_keeps_the_main_command_after_the_separator() -> None:
    ns = build_parser("run").parse_args(RUN_ARGS)
    assert ns.main_command == ["sh", "-c", "echo hi"]
    assert ns.wait_timeout == 3.0


def test_run_help_is_the_same_from_both_parsers(capsys: pytest.CaptureFixture[str]) -> None:
    texts = []
    for parser in (build_parser("run"), build_parser()):
        with pytest.raises(SystemExit):
            parser.parse_args(["run", "--help"])
        texts.append(capsys.readouterr().out)
    assert texts[0] == texts[1]
    assert texts[0].startswith("usage: lightbase run [OPTIONS] [-- MAIN_COMMAND [ARGS...]]\n")


@pytest.mark.parametrize("columns", ["57", "200", "", "0", "wide"])
def test_help_width_is_what_shutil_would_give_argparse(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert _help_width() == shutil.get_terminal_size().columns - 2
