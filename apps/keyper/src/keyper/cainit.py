"""`python -m keyper.cainit`: create the CA key pairs, the empty KRL and the work directories
under SSH_CA_DIR when missing (idempotent; for the image's startup script)."""

from __future__ import annotations

import os
import sys

from keyper.config import Settings
from keyper.errors import ApiError, ConfigError
from keyper.sshca import CertificateAuthority


def main(argv: list[str] | None = None) -> int:
    if argv or (argv is None and sys.argv[1:]):
        print(
            "usage: python -m keyper.cainit (configured by environment variables)", file=sys.stderr
        )
        return 2
    try:
        CertificateAuthority(Settings.from_environ(os.environ)).ensure()
    except ConfigError as exc:
        print(f"keyper.cainit: {exc}", file=sys.stderr)
        return 78
    except ApiError as exc:
        print(f"keyper.cainit: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
