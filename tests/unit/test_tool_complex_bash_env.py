"""complex-bash-env: the usual shell loops over lists, maps and nested values, in real bash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

# What the environment pipeline writes for (YAML):
#   HOSTS: [ldap1.example.org, "ldap 2"]
#   ADMIN: {cn: admin}
#   DATABASES: {main: {size: 10, users: [alice, bob]}, logs: []}
ENCODED = {
    "HOSTS": "#COMPLEX_BASH_ENV:TABLE: HOSTS_ROW_1 HOSTS_ROW_2",
    "HOSTS_ROW_1": "ldap1.example.org",
    "HOSTS_ROW_2": "ldap 2",
    "ADMIN": "#COMPLEX_BASH_ENV:ROW: ADMIN_KEY ADMIN_VALUE",
    "ADMIN_KEY": "cn",
    "ADMIN_VALUE": "admin",
    "DATABASES": "#COMPLEX_BASH_ENV:TABLE: DATABASES_ROW_1 DATABASES_ROW_2",
    "DATABASES_ROW_1": "#COMPLEX_BASH_ENV:ROW: DATABASES_ROW_1_KEY DATABASES_ROW_1_VALUE",
    "DATABASES_ROW_1_KEY": "main",
    "DATABASES_ROW_1_VALUE": (
        "#COMPLEX_BASH_ENV:TABLE: DATABASES_ROW_1_VALUE_ROW_1 DATABASES_ROW_1_VALUE_ROW_2"
    ),
    "DATABASES_ROW_1_VALUE_ROW_1": (
        "#COMPLEX_BASH_ENV:ROW: DATABASES_ROW_1_VALUE_ROW_1_KEY DATABASES_ROW_1_VALUE_ROW_1_VALUE"
    ),
    "DATABASES_ROW_1_VALUE_ROW_1_KEY": "size",
    "DATABASES_ROW_1_VALUE_ROW_1_VALUE": "10",
    "DATABASES_ROW_1_VALUE_ROW_2": (
        "#COMPLEX_BASH_ENV:ROW: DATABASES_ROW_1_VALUE_ROW_2_KEY DATABASES_ROW_1_VALUE_ROW_2_VALUE"
    ),
    "DATABASES_ROW_1_VALUE_ROW_2_KEY": "users",
    "DATABASES_ROW_1_VALUE_ROW_2_VALUE": (
        "#COMPLEX_BASH_ENV:TABLE: DATABASES_ROW_1_VALUE_ROW_2_VALUE_ROW_1 "
        "DATABASES_ROW_1_VALUE_ROW_2_VALUE_ROW_2"
    ),
    "DATABASES_ROW_1_VALUE_ROW_2_VALUE_ROW_1": "alice",
    "DATABASES_ROW_1_VALUE_ROW_2_VALUE_ROW_2": "bob",
    "DATABASES_ROW_2": "#COMPLEX_BASH_ENV:ROW: DATABASES_ROW_2_KEY DATABASES_ROW_2_VALUE",
    "DATABASES_ROW_2_KEY": "logs",
    "DATABASES_ROW_2_VALUE": "#COMPLEX_BASH_ENV:TABLE:",
    "PLAIN": "just text",
}


def bash(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euc", script],
        capture_output=True,
        text=True,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "CONTAINER_RUN_DIR": "/nonexistent", **(env or {})},
        check=False,
    )


def test_loop_over_a_list() -> None:
    result = bash(
        'for host in $(complex-bash-env iterate HOSTS); do echo "[${!host}]"; done', ENCODED
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "[ldap1.example.org]\n[ldap 2]\n"


def test_single_key_map_iterates_as_one_row() -> None:
    script = """
    for row in $(complex-bash-env iterate ADMIN); do
      if [ "$(complex-bash-env isRow "${!row}")" = true ]; then
        echo "$(complex-bash-env getRowKey "${!row}")=$(complex-bash-env getRowValue "${!row}")"
      fi
    done
    """
    result = bash(script, ENCODED)
    assert (result.returncode, result.stdout, result.stderr) == (0, "cn=admin\n", "")


def test_nested_map_walked_the_original_way_with_values() -> None:
    # The style of scripts written for the original tool: values (`${!row}`) and
    # `[ "$(...)" = true ]` tests, recursing with getRowValue's encoded value.
    script = """
    walk() {
      local prefix=$1 row key value
      for row in $(complex-bash-env iterate "$2"); do
        if [ "$(complex-bash-env isRow "${!row}")" = true ]; then
          key=$(complex-bash-env getRowKey "${!row}")
          value=$(complex-bash-env getRowValue "${!row}")
          if [ "$(complex-bash-env isTable "$value")" = true ]; then
            walk "$prefix$key." "$(complex-bash-env getRowValueVarName "${!row}")"
          else
            echo "$prefix$key=$value"
          fi
        else
          echo "$prefix[]=${!row}"
        fi
      done
    }
    walk "" DATABASES
    """
    result = bash(script, ENCODED)
    assert result.stderr == ""
    assert result.stdout == "main.size=10\nmain.users.[]=alice\nmain.users.[]=bob\n"


def test_nested_table_value_can_be_iterated_directly() -> None:
    script = """
    value=$(complex-bash-env getRowValue DATABASES_ROW_1_VALUE_ROW_2)
    for user in $(complex-bash-env iterate "$value"); do echo "${!user}"; done
    """
    result = bash(script, ENCODED)
    assert (result.returncode, result.stdout) == (0, "alice\nbob\n")


def test_test_subcommands_set_exit_status_and_q_silences() -> None:
    script = """
    if complex-bash-env -q isTable HOSTS; then echo hosts-table; fi
    if complex-bash-env isRow -q HOSTS; then echo hosts-row; fi
    if complex-bash-env -q isRow ADMIN; then echo admin-row; fi
    if ! complex-bash-env -q isTable PLAIN; then echo plain-scalar; fi
    complex-bash-env isTable "$DATABASES_ROW_2_VALUE"
    """
    result = bash(script, ENCODED)
    assert result.stdout == "hosts-table\nadmin-row\nplain-scalar\ntrue\n"


def test_hand_written_row_and_table_variables() -> None:
    script = """
    export PEERS='#COMPLEX_BASH_ENV:TABLE: PEER_A PEER_B'
    export PEER_A='#COMPLEX_BASH_ENV:ROW: PEER_A_K PEER_A_V' PEER_A_K=alpha PEER_A_V=10.0.0.1
    export PEER_B='#COMPLEX_BASH_ENV:ROW: PEER_B_K PEER_B_V' PEER_B_K=beta PEER_B_V=10.0.0.2
    for peer in $(complex-bash-env iterate PEERS); do
      echo "$(complex-bash-env getRowKey "$peer") $(complex-bash-env getRowValue "${!peer}")"
    done
    complex-bash-env getRow PEER_A
    complex-bash-env getRowKeyVarName "$PEER_B"
    complex-bash-env stripTablePrefix PEERS
    complex-bash-env stripRowPrefix "$PEER_B"
    """
    result = bash(script)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "alpha 10.0.0.1\nbeta 10.0.0.2\nPEER_A_K PEER_A_V\nPEER_B_K\nPEER_A PEER_B\n"
        "PEER_B_K PEER_B_V\n"
    )


def test_iterate_of_scalar_or_row_by_name_yields_that_name() -> None:
    result = bash(
        "complex-bash-env iterate PLAIN; complex-bash-env iterate ADMIN;"
        ' complex-bash-env iterate "$ADMIN"',
        ENCODED,
    )
    assert (result.returncode, result.stdout) == (0, "PLAIN\nADMIN\nADMIN\n")


def test_empty_table_iterates_nothing() -> None:
    result = bash(
        'for x in $(complex-bash-env iterate DATABASES_ROW_2_VALUE); do echo "$x"; done; echo end',
        ENCODED,
    )
    assert (result.returncode, result.stdout) == (0, "end\n")


def test_variables_missing_from_environment_are_read_from_run_dir_files(
    tmp_path: Path,
) -> None:
    files = tmp_path / "environment"
    files.mkdir()
    for name in ("HOSTS", "HOSTS_ROW_1", "HOSTS_ROW_2", "ADMIN", "ADMIN_KEY", "ADMIN_VALUE"):
        (files / name).write_text(ENCODED[name])
    script = """
    complex-bash-env iterate HOSTS
    complex-bash-env getRowKey ADMIN
    complex-bash-env getRowValue "$(cat "$CONTAINER_RUN_DIR/environment/ADMIN")"
    """
    result = bash(script, {"CONTAINER_RUN_DIR": str(tmp_path)})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "HOSTS_ROW_1 HOSTS_ROW_2\ncn\nadmin\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("rm", "-rf"), 2, "complex-bash-env: unknown subcommand 'rm' (use one of iterate, "
         "isTable, isRow, getRow, getRowKey, getRowValue, getRowKeyVarName, getRowValueVarName, "
         "stripTablePrefix, stripRowPrefix)"),
        ((), 2, "complex-bash-env: missing SUBCOMMAND (use one of iterate, isTable, isRow, "
         "getRow, getRowKey, getRowValue, getRowKeyVarName, getRowValueVarName, "
         "stripTablePrefix, stripRowPrefix)"),
        (("iterate",), 2,
         "complex-bash-env: usage: complex-bash-env iterate ARG (got 0 arguments)"),
        (("iterate", "UNSET_VAR"), 1, "complex-bash-env: UNSET_VAR is not set"),
        (("iterate", "not a name"), 1,
         "complex-bash-env: 'not a name' is neither a variable name nor a TABLE"),
        (("getRowKey", "HOSTS"), 1, "complex-bash-env: HOSTS is not a ROW"),
        (("getRowValue", "#COMPLEX_BASH_ENV:ROW: ONLY_ONE"), 1,
         "complex-bash-env: '#COMPLEX_BASH_ENV:ROW: ONLY_ONE': a ROW names 2 variables "
         "(key and value), found 1"),
        (("getRowValue", "#COMPLEX_BASH_ENV:ROW: GONE_KEY GONE_VALUE"), 1,
         "complex-bash-env: GONE_VALUE (named by '#COMPLEX_BASH_ENV:ROW: GONE_KEY GONE_VALUE') "
         "is not set"),
        (("-q", "getRow", "ADMIN"), 2,
         "complex-bash-env: -q is an option of isTable and isRow, not of getRow"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(args: tuple[str, ...], code: int, message: str) -> None:
    result = subprocess.run(
        [str(BIN / "complex-bash-env"), *args],
        capture_output=True,
        text=True,
        env={**ENCODED, "CONTAINER_RUN_DIR": "/nonexistent"},
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (code, "", message + "\n")


def test_unknown_subcommand_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = bash(f"complex-bash-env touch {marker} || true")
    assert not marker.exists()
    assert result.stderr.startswith("complex-bash-env: unknown subcommand 'touch'")
