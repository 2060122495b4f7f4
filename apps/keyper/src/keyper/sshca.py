"""The SSH certificate authority: CA keys, signing, and the KRL, all through ssh-keygen.

Every ssh-keygen run is checked; a failure becomes an ApiError naming what failed and
ssh-keygen's own reason. Arguments are passed as a list, never through a shell.
"""

from __future__ import annotations

import enum
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from keyper.config import Settings
from keyper.errors import ApiError, SshKeygenError
from keyper.locks import exclusive, write_atomic
from keyper.sshkeys import PublicKey

SSH_KEYGEN = "ssh-keygen"
TIMEOUT = 30


class CertKind(enum.Enum):
    USER = "user"
    HOST = "host"


@dataclass(frozen=True)
class SignRequest:
    key: PublicKey
    identity: str
    principals: Sequence[str]
    serial: int
    valid_after: datetime
    valid_before: datetime


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%SZ")


def run_keygen(args: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    """Run ssh-keygen; a non-zero exit raises SshKeygenError(500) with its last stderr line."""
    try:
        proc = subprocess.run(
            [SSH_KEYGEN, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SshKeygenError(500, f"{what}: cannot run ssh-keygen: {exc}") from None
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise SshKeygenError(500, f"{what}: ssh-keygen failed: {reason}")
    return proc


class CertificateAuthority:
    """The user CA, the host CA and the KRL under SSH_CA_DIR."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def ca_key(self, kind: CertKind) -> Path:
        return self.settings.user_ca_key if kind is CertKind.USER else self.settings.host_ca_key

    def public_key(self, kind: CertKind) -> str:
        path = Path(f"{self.ca_key(kind)}.pub")
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ApiError(503, f"{kind.value} CA public key {path}: {exc.strerror}") from None

    def krl_bytes(self) -> bytes:
        try:
            return self.settings.krl_file.read_bytes()
        except OSError as exc:
            path = self.settings.krl_file
            raise ApiError(503, f"KRL {path}: {exc.strerror}") from None

    def ensure(self) -> None:
        """Create the directories, both CA key pairs and an empty KRL when they are missing;
        existing files are left alone (safe to run at every start)."""
        s = self.settings
        for directory in (s.ca_dir, s.tmp_dir, s.state_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for kind in CertKind:
            key = self.ca_key(kind)
            if not key.exists():
                comment = f"keyper {kind.value} CA"
                args = ["-q", "-t", s.ca_key_type, "-N", "", "-C", comment, "-f", str(key)]
                run_keygen(args, f"create {kind.value} CA key {key}")
            key.chmod(0o600)
        if not s.krl_file.exists():
            with self._workdir() as work:
                empty = work / "krl"
                run_keygen(["-k", "-f", str(empty)], f"create KRL {s.krl_file}")
                write_atomic(s.krl_file, empty.read_bytes())

    @contextmanager
    def _workdir(self) -> Iterator[Path]:
        path = Path(tempfile.mkdtemp(prefix="keyper-", dir=self.settings.tmp_dir))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def sign(self, kind: CertKind, request: SignRequest) -> str:
        """Sign `request.key`; returns the certificate line."""
        validity = f"{_stamp(request.valid_after)}:{_stamp(request.valid_before)}"
        with self._workdir() as work:
            pub = work / "key.pub"
            pub.write_text(request.key.line + "\n", encoding="utf-8")
            args = ["-q", "-s", str(self.ca_key(kind)), "-I", request.identity]
            args += ["-z", str(request.serial), "-V", validity]
            args += ["-n", ",".join(request.principals)]
            if kind is CertKind.HOST:
                args.append("-h")
            run_keygen([*args, str(pub)], f"sign {kind.value} certificate for {request.identity}")
            return (work / "key-cert.pub").read_text(encoding="utf-8").strip()

    def revoke(self, lines: Sequence[str]) -> None:
        """Add public keys and/or certificates (one line each) to the KRL. The KRL is updated
        on a copy and swapped in, under a lock, so concurrent readers never see half a file."""
        if not lines:
            return
        krl = self.settings.krl_file
        with exclusive(krl.with_name(f"{krl.name}.lock")), self._workdir() as work:
            spec = work / "revoke.pub"
            spec.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            copy = work / "krl"
            copy.write_bytes(self.krl_bytes())
            run_keygen(["-k", "-u", "-f", str(copy), str(spec)], "update the KRL")
            write_atomic(krl, copy.read_bytes())

    def is_revoked(self, line: str) -> bool:
        """Ask ssh-keygen -Q whether a key or certificate is in the KRL (every KRL section
        kind is understood by ssh-keygen itself)."""
        with self._workdir() as work:
            item = work / "item.pub"
            item.write_text(line + "\n", encoding="utf-8")
            try:
                proc = subprocess.run(
                    [SSH_KEYGEN, "-Q", "-f", str(self.settings.krl_file), str(item)],
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SshKeygenError(500, f"check the KRL: cannot run ssh-keygen: {exc}") from None
        if proc.stdout.rstrip().endswith(": REVOKED"):
            return True
        if proc.returncode == 0 and proc.stdout.rstrip().endswith(": ok"):
            return False
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise SshKeygenError(500, f"check the KRL: ssh-keygen failed: {reason}")


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
