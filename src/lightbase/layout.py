"""Where everything lives: the container root, the run dir and the state dir.

ROOT/environment/          environment files (read-only is fine)
ROOT/service/NAME/         service directories
ROOT/service-available/    services that can be added on demand
ROOT/tool/                 tool wrappers linked into PATH in images
RUN/                       written at run time (ROOT/run unless relocated)
RUN/environment.sh         `export NAME='value'` for every exported variable
RUN/environment/NAME       one file per variable
RUN/environment.json       the same as JSON
RUN/control.sock           the supervisor's control socket
STATE/                     first-startup-done, startup-done (RUN/state unless relocated)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = "/container"
ROOT_VARIABLE = "CONTAINER_ROOT"
RUN_DIR_VARIABLE = "CONTAINER_RUN_DIR"
STATE_DIR_VARIABLE = "CONTAINER_STATE_DIR"


@dataclass(frozen=True)
class Layout:
    root: Path
    run_dir: Path
    state_dir: Path

    @classmethod
    def resolve(
        cls,
        environ: Mapping[str, str] = os.environ,
        root: str | None = None,
        run_dir: str | None = None,
    ) -> Layout:
        """Options beat environment variables, which beat the defaults."""
        root_path = Path(root or environ.get(ROOT_VARIABLE) or DEFAULT_ROOT).absolute()
        run_path = Path(run_dir or environ.get(RUN_DIR_VARIABLE) or root_path / "run").absolute()
        state = environ.get(STATE_DIR_VARIABLE)
        state_path = Path(state).absolute() if state else run_path / "state"
        return cls(root_path, run_path, state_path)

    @property
    def environment_dir(self) -> Path:
        return self.root / "environment"

    @property
    def service_dir(self) -> Path:
        return self.root / "service"

    @property
    def service_available_dir(self) -> Path:
        return self.root / "service-available"

    @property
    def tool_dir(self) -> Path:
        return self.root / "tool"

    @property
    def env_sh(self) -> Path:
        return self.run_dir / "environment.sh"

    @property
    def env_files_dir(self) -> Path:
        return self.run_dir / "environment"

    @property
    def env_json(self) -> Path:
        return self.run_dir / "environment.json"

    @property
    def control_socket(self) -> Path:
        return self.run_dir / "control.sock"

    @property
    def copied_service_dir(self) -> Path:
        """Where `--copy-service` puts its copy of the service directories."""
        return self.run_dir / "service"

    @property
    def process_dir(self) -> Path:
        """`run/process/NAME/run` links, for runit and for `sv` path forms."""
        return self.run_dir / "process"

    @property
    def first_startup_done(self) -> Path:
        return self.state_dir / "first-startup-done"

    @property
    def startup_done(self) -> Path:
        return self.state_dir / "startup-done"

    def variables(self) -> dict[str, str]:
        """What every script is told about the layout."""
        return {
            ROOT_VARIABLE: str(self.root),
            RUN_DIR_VARIABLE: str(self.run_dir),
            STATE_DIR_VARIABLE: str(self.state_dir),
        }
