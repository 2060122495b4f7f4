"""complex-bash-env: walk the TABLE/ROW variables that encode lists and maps.

Encoding (written by the environment pipeline, see docs/tools.md):
    NAME='#COMPLEX_BASH_ENV:TABLE: NAME_ROW_1 NAME_ROW_2'   a list, or a map of several keys
    NAME='#COMPLEX_BASH_ENV:ROW: NAME_KEY NAME_VALUE'       a map of one key

Every subcommand takes one ARG that is either a variable name or a value. Scripts written
for the original tool pass values (`isRow "${!row}"`), newer ones pass names; both work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from ..errors import LightbaseError, UsageError
from ..layout import Layout
from ._cli import run

NAME = "complex-bash-env"
TABLE_PREFIX = "#COMPLEX_BASH_ENV:TABLE:"
ROW_PREFIX = "#COMPLEX_BASH_ENV:ROW:"
COMPLEX_PREFIX = "#COMPLEX_BASH_ENV:"

HELP = """
usage: complex-bash-env [-q] SUBCOMMAND [-q] ARG

Lists and maps from the environment files reach scripts as several variables:
  a list, or a map of several keys:  NAME='#COMPLEX_BASH_ENV:TABLE: NAME_ROW_1 NAME_ROW_2'
  a map of one key (a ROW):          NAME='#COMPLEX_BASH_ENV:ROW: NAME_KEY NAME_VALUE'
  each key of a map of several keys is a ROW of the TABLE:
                                     NAME_ROW_1='#COMPLEX_BASH_ENV:ROW: NAME_ROW_1_KEY ...'
A value that is itself a list or map is encoded the same way under its own name.

ARG is a variable name or a value. A value starting with #COMPLEX_BASH_ENV: is used as it
is; otherwise, when ARG is the name of a set variable, that variable's value is used;
otherwise ARG is a plain value. A variable missing from the environment is read from
$CONTAINER_RUN_DIR/environment/NAME (written by `lightbase run`) when that file exists.

subcommands:
  iterate ARG          print the row variable names of a TABLE on one line, separated by
                       spaces: for row in $(complex-bash-env iterate NAME); do ...; done
                       A ROW or a plain value given by name prints that name (one element).
  isTable ARG          print true and exit 0 when ARG is a TABLE, else print false, exit 1
  isRow ARG            the same for a ROW
  getRow ARG           print the key and value variable names of a ROW: "NAME_KEY NAME_VALUE"
  getRowKey ARG        print the key of a ROW
  getRowValue ARG      print the value of a ROW (a nested list or map prints its encoded
                       value, which can be given to iterate/isTable/isRow again)
  getRowKeyVarName ARG    print the name of the variable holding the key of a ROW
  getRowValueVarName ARG  print the name of the variable holding the value of a ROW
  stripTablePrefix ARG print the value without its TABLE prefix (the row names)
  stripRowPrefix ARG   print the value without its ROW prefix (the key and value names)

options:
  -q    isTable/isRow: print nothing, only set the exit code

environment:
  CONTAINER_RUN_DIR    where environment/NAME files are read from (default CONTAINER_ROOT/run)

exit codes:
  0  done; isTable/isRow: true
  1  isTable/isRow: false; an unset variable; ARG is not what the subcommand needs
  2  wrong usage or unknown subcommand
"""


class Kind(Enum):
    TABLE = "TABLE"
    ROW = "ROW"
    SCALAR = "scalar"


@dataclass(frozen=True)
class Value:
    """ARG resolved: its text, what it encodes, and the variable it came from (if any)."""

    text: str
    name: str | None

    @property
    def kind(self) -> Kind:
        if self.text.startswith(TABLE_PREFIX):
            return Kind.TABLE
        if self.text.startswith(ROW_PREFIX):
            return Kind.ROW
        return Kind.SCALAR

    def members(self) -> list[str]:
        """The variable names after the TABLE/ROW prefix."""
        prefix = TABLE_PREFIX if self.kind is Kind.TABLE else ROW_PREFIX
        return self.text[len(prefix) :].split()

    def describe(self) -> str:
        return self.name if self.name is not None else repr(_shorten(self.text))


class Lookup:
    """Variables from the process environment, then from RUN/environment/NAME files."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._files = Layout.resolve(environ).env_files_dir

    def get(self, name: str) -> str | None:
        if not name.isidentifier():
            return None
        value = self._environ.get(name)
        if value is not None:
            return value
        try:
            return (self._files / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def resolve(self, arg: str) -> Value:
        if arg.startswith(COMPLEX_PREFIX):
            return Value(arg, None)
        value = self.get(arg)
        return Value(arg, None) if value is None else Value(value, arg)

    def required(self, name: str, where: Value) -> str:
        value = self.get(name)
        if value is None:
            raise LightbaseError(f"{name} (named by {where.describe()}) is not set")
        return value


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _row(value: Value) -> tuple[str, str]:
    """The key and value variable names of a ROW; an error for anything else."""
    if value.kind is not Kind.ROW:
        raise LightbaseError(f"{value.describe()} is not a ROW")
    members = value.members()
    if len(members) != 2:
        raise LightbaseError(
            f"{value.describe()}: a ROW names 2 variables (key and value), found {len(members)}"
        )
    return members[0], members[1]


def iterate(lookup: Lookup, arg: str) -> str:
    value = lookup.resolve(arg)
    if value.kind is Kind.TABLE:
        return " ".join(value.members())
    if value.name is not None:
        return value.name
    if value.kind is Kind.ROW:
        return _row_name(lookup, value)
    if arg.isidentifier():
        raise LightbaseError(f"{arg} is not set")
    raise LightbaseError(f"{value.describe()} is neither a variable name nor a TABLE")


def _row_name(lookup: Lookup, value: Value) -> str:
    """The variable holding a ROW value: `NAME` for `ROW: NAME_KEY NAME_VALUE`, if it does."""
    key, val = _row(value)
    name = key.removesuffix("_KEY")
    if key.endswith("_KEY") and val == f"{name}_VALUE" and lookup.get(name) == value.text:
        return name
    raise LightbaseError(f"{value.describe()}: give iterate the name of this ROW, not its value")


def _get_row(lookup: Lookup, arg: str) -> str:
    return " ".join(_row(lookup.resolve(arg)))


def _get_row_key(lookup: Lookup, arg: str) -> str:
    value = lookup.resolve(arg)
    return lookup.required(_row(value)[0], value)


def _get_row_value(lookup: Lookup, arg: str) -> str:
    value = lookup.resolve(arg)
    return lookup.required(_row(value)[1], value)


def _get_row_key_var_name(lookup: Lookup, arg: str) -> str:
    return _row(lookup.resolve(arg))[0]


def _get_row_value_var_name(lookup: Lookup, arg: str) -> str:
    return _row(lookup.resolve(arg))[1]


def _strip(prefix: str) -> Callable[[Lookup, str], str]:
    def strip(lookup: Lookup, arg: str) -> str:
        text = lookup.resolve(arg).text
        return text[len(prefix) :].strip() if text.startswith(prefix) else text

    return strip


PRINTERS: dict[str, Callable[[Lookup, str], str]] = {
    "iterate": iterate,
    "getRow": _get_row,
    "getRowKey": _get_row_key,
    "getRowValue": _get_row_value,
    "getRowKeyVarName": _get_row_key_var_name,
    "getRowValueVarName": _get_row_value_var_name,
    "stripTablePrefix": _strip(TABLE_PREFIX),
    "stripRowPrefix": _strip(ROW_PREFIX),
}
TESTS: dict[str, Kind] = {"isTable": Kind.TABLE, "isRow": Kind.ROW}
SUBCOMMANDS = ("iterate", "isTable", "isRow", *list(PRINTERS)[1:])


def _body(args: list[str]) -> int:
    quiet = args[:1] == ["-q"]
    args = args[1:] if quiet else args
    if not args:
        raise UsageError(f"missing SUBCOMMAND (use one of {', '.join(SUBCOMMANDS)})")
    command, rest = args[0], args[1:]
    if command not in PRINTERS and command not in TESTS:
        raise UsageError(f"unknown subcommand {command!r} (use one of {', '.join(SUBCOMMANDS)})")
    if rest[:1] == ["-q"]:
        quiet, rest = True, rest[1:]
    if quiet and command not in TESTS:
        raise UsageError(f"-q is an option of isTable and isRow, not of {command}")
    if len(rest) != 1:
        raise UsageError(f"usage: complex-bash-env {command} ARG (got {len(rest)} arguments)")
    lookup = Lookup(os.environ)
    if command in TESTS:
        holds = lookup.resolve(rest[0]).kind is TESTS[command]
        if not quiet:
            sys.stdout.write("true\n" if holds else "false\n")
        return 0 if holds else 1
    sys.stdout.write(PRINTERS[command](lookup, rest[0]) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
