"""Settings read from environment variables only (the seed's names), as one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from keyper.errors import ConfigError

DEFAULT_DOMAIN = "keyper.example.org"
MIN_SECRET_BYTES = 32


def base_dn(domain: str) -> str:
    """`keyper.example.org` -> `dc=keyper,dc=example,dc=org` (labels checked, not escaped)."""
    labels = domain.strip().split(".")
    for label in labels:
        if not label or not all(c.isalnum() or c == "-" for c in label):
            raise ConfigError(f"LDAP_DOMAIN: not a domain name: {domain!r}")
    return ",".join(f"dc={label}" for label in labels)


def read_secret(environ: Mapping[str, str], name: str, required: bool = True) -> str | None:
    """The value of NAME, or the content of the file named by NAME_FILE (one trailing newline
    dropped). Setting both is ambiguous and refused."""
    file_name = environ.get(f"{name}_FILE", "")
    direct = environ.get(name, "")
    if file_name and direct:
        raise ConfigError(f"{name}: set either {name} or {name}_FILE, not both")
    if file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from None
        value = value[:-1] if value.endswith("\n") else value
    else:
        value = direct
    if not value:
        if required:
            raise ConfigError(f"{name}: not set (set {name} or {name}_FILE)")
        return None
    return value


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name}: expected a positive integer, got {raw!r}")
    return int(raw)


def _in_dir(directory: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else directory / path


@dataclass(frozen=True)
class Settings:
    """Everything the API needs to know about its surroundings."""

    base_dn: str
    ldap_uri: str
    bind_dn: str
    bind_password: str
    ca_dir: Path
    host_ca_key: Path
    user_ca_key: Path
    ca_key_type: str
    krl_file: Path
    tmp_dir: Path
    state_dir: Path
    token_secret: str
    token_ttl: int

    @property
    def people_dn(self) -> str:
        return f"ou=people,{self.base_dn}"

    @property
    def hosts_dn(self) -> str:
        return f"ou=Hosts,{self.base_dn}"

    @property
    def groups_dn(self) -> str:
        return f"ou=groups,{self.base_dn}"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        base = base_dn(env.get("LDAP_DOMAIN") or DEFAULT_DOMAIN)
        uri = env.get("LDAP_URI") or f"ldap://127.0.0.1:{_positive_int(env, 'LDAP_PORT', 389)}"
        if not uri.startswith(("ldap://", "ldaps://", "ldapi://")):
            raise ConfigError(f"LDAP_URI: expected ldap://, ldaps:// or ldapi://, got {uri!r}")
        secret = read_secret(env, "KEYPER_TOKEN_SECRET") or ""
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"KEYPER_TOKEN_SECRET: must be at least {MIN_SECRET_BYTES} bytes")
        password = read_secret(env, "LDAP_ADMIN_PASSWORD") or ""
        if secret == password:
            raise ConfigError("KEYPER_TOKEN_SECRET: must differ from LDAP_ADMIN_PASSWORD")
        ca_dir = Path(env.get("SSH_CA_DIR") or "/etc/sshca")
        key_type = env.get("SSH_CA_KEY_TYPE") or "ed25519"
        if key_type not in ("rsa", "ecdsa", "ed25519"):
            raise ConfigError(f"SSH_CA_KEY_TYPE: expected rsa, ecdsa or ed25519, got {key_type!r}")
        return cls(
            base_dn=base,
            ldap_uri=uri,
            bind_dn=env.get("LDAP_BIND_DN") or f"cn=Manager,{base}",
            bind_password=password,
            ca_dir=ca_dir,
            host_ca_key=_in_dir(ca_dir, env.get("SSH_CA_HOST_KEY") or "ca_host_key"),
            user_ca_key=_in_dir(ca_dir, env.get("SSH_CA_USER_KEY") or "ca_user_key"),
            ca_key_type=key_type,
            krl_file=_in_dir(ca_dir, env.get("SSH_CA_KRL_FILE") or "ca_krl"),
            tmp_dir=_in_dir(ca_dir, env.get("SSH_CA_TMP_WORK_DIR") or "tmp"),
            state_dir=_in_dir(ca_dir, env.get("KEYPER_STATE_DIR") or "state"),
            token_secret=secret,
            token_ttl=_positive_int(env, "KEYPER_TOKEN_TTL", 3600),
        )
