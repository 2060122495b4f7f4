"""The base image as built: its configuration and what is (not) inside."""

from __future__ import annotations

import json
from typing import Any

from .helpers import Engine, Images


def image_config(engine: Engine, image: str) -> dict[str, Any]:
    """The image's run configuration; podman reports the healthcheck beside it, docker in it."""
    inspected = json.loads(engine("image", "inspect", image).stdout)[0]
    config: dict[str, Any] = inspected["Config"]
    if "Healthcheck" in inspected:
        config.setdefault("Healthcheck", inspected["Healthcheck"])
    return config


def shell(engine: Engine, image: str, script: str) -> str:
    result = engine("run", "--rm", "--entrypoint", "/bin/sh", image, "-c", script)
    return result.stdout


def test_base_image_runs_the_entrypoint_in_exec_form(engine: Engine, images: Images) -> None:
    config = image_config(engine, images.base)
    assert config["Entrypoint"] == ["/container/tool/run"]
    assert config["StopSignal"] == "SIGTERM"


def test_base_image_healthcheck_asks_lightbase(engine: Engine, images: Images) -> None:
    config = image_config(engine, images.base)
    assert config["Healthcheck"]["Test"] == ["CMD", "lightbase", "health"]


def test_base_image_carries_the_release_version_label(engine: Engine, images: Images) -> None:
    config = image_config(engine, images.base)
    assert config["Labels"]["org.opencontainers.image.version"] == "test"


def test_base_image_has_the_tools_in_path_and_the_tree(engine: Engine, images: Images) -> None:
    out = shell(
        engine,
        images.base,
        'command -v lightbase; command -v run; readlink -f "$(command -v run)"; '
        "python3 -c 'import lightbase, yaml; print(yaml.__with_libyaml__)'; "
        "ls -d /container/environment /container/service /container/service-available "
        "/container/tool /container/run",
    )
    assert out.split("\n") == [
        "/usr/local/bin/lightbase",
        "/usr/local/bin/run",
        "/container/tool/run",
        "True",
        "/container/environment",
        "/container/run",
        "/container/service",
        "/container/service-available",
        "/container/tool",
        "",
    ]


def test_base_image_container_tree_is_group_0_writable(engine: Engine, images: Images) -> None:
    out = shell(engine, images.base, "stat -c '%g %A %n' /container /container/run")
    assert out.split("\n") == ["0 drwxrwxr-x /container", "0 drwxrwxr-x /container/run", ""]


def test_base_image_has_no_pip_caches_or_docs(engine: Engine, images: Images) -> None:
    out = shell(
        engine,
        images.base,
        "python3 -c 'import pip' 2>/dev/null && echo pip is installed; "
        "find /root/.cache /usr/share/doc /usr/share/man /usr/share/locale /var/lib/apt/lists "
        "/var/cache/apt -type f 2>/dev/null || true",
    )
    assert out == ""


def test_base_image_puts_every_tool_in_path_and_sv_on_lightbase_sv(
    engine: Engine, images: Images
) -> None:
    tools = (
        "sv setuser log-helper complex-bash-env wait-process install-service "
        "add-service-available add-multiple-process-stack lightbase-sv"
    )
    out = shell(
        engine,
        images.base,
        f'for t in {tools}; do printf "%s %s\\n" "$t" "$(readlink -f "$(command -v "$t")")"; done',
    )
    assert out.splitlines() == [
        "sv /usr/local/bin/lightbase-sv",
        "setuser /usr/local/bin/setuser",
        "log-helper /usr/local/bin/log-helper",
        "complex-bash-env /usr/local/bin/complex-bash-env",
        "wait-process /usr/local/bin/wait-process",
        "install-service /usr/local/bin/install-service",
        "add-service-available /usr/local/bin/add-service-available",
        "add-multiple-process-stack /usr/local/bin/add-multiple-process-stack",
        "lightbase-sv /usr/local/bin/lightbase-sv",
    ]
