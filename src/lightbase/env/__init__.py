"""The environment pipeline of `lightbase run`: sources -> Environment -> exported files.

    env = load(layout, os.environ)        # process env, then ROOT/environment/ files
    export(env, layout, warn=log.warning)  # RUN/environment.sh, RUN/environment/, .json
    ... startup scripts run with env.as_dict() ...
    env = collect_runtime(env, layout)     # variables the scripts wrote to RUN/environment/
    env = env.without_startup()            # startup-only variables never reach processes
    export(env, layout, warn=log.warning)
    remove_startup_files(layout, warn=log.warning)   # unless --keep-startup-env

See docs/environment.md for the rules (precedence, formats, NAME_FILE, startup-only).
"""

from __future__ import annotations

from .explain import explain, render
from .export import export
from .model import Environment, Source, SourceKind, Variable
from .runtime import collect_runtime, remove_startup_files
from .sources import load

__all__ = [
    "Environment",
    "Source",
    "SourceKind",
    "Variable",
    "collect_runtime",
    "explain",
    "export",
    "load",
    "remove_startup_files",
    "render",
]
