"""Environment from `-e`, from a NAME_FILE secret and from a mounted environment file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .helpers import Container, Images


def process_environment(box: Container, pid: int) -> dict[str, str]:
    raw = box.exec("cat", f"/proc/{pid}/environ").stdout
    return dict(entry.split("=", 1) for entry in raw.split("\0") if entry)


def test_environment_from_e_secret_file_and_mounted_file(
    start: Callable[..., Container], images: Images, tmp_path: Path
) -> None:
    secret = tmp_path / "token"
    secret.write_text("token-from-a-secret-file\n")
    custom = tmp_path / "01-custom.yaml"
    custom.write_text("DEMO_EXTRA: from the mounted file\nDEMO_GREETING: loses to -e\n")
    demo = start(
        images.demo,
        "-e",
        "DEMO_GREETING=Hi from -e",
        "-e",
        "DEMO_API_TOKEN_FILE=/secrets/token",
        "-v",
        f"{secret}:/secrets/token:ro",
        "-v",
        f"{custom}:/container/environment/01-custom.yaml:ro",
    )
    demo.wait_healthy()
    exported = {
        name: demo.exec("cat", f"/container/run/environment/{name}").stdout
        for name in ("DEMO_GREETING", "DEMO_API_TOKEN", "DEMO_EXTRA")
    }
    assert exported == {
        "DEMO_GREETING": "Hi from -e",
        "DEMO_API_TOKEN": "token-from-a-secret-file",
        "DEMO_EXTRA": "from the mounted file",
    }
    seen = process_environment(demo, demo.status()["pinger"]["pid"])
    assert {name: seen.get(name) for name in exported} == exported
    assert "DEMO_API_TOKEN_FILE" not in seen
    demo.wait_until("serving", lambda: "pinger: api says: Hi from -e" in demo.logs())
    assert "token-from-a-secret-file" not in demo.logs()
