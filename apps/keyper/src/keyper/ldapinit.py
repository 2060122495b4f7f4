"""LDIF for a first slapd start, built from environment variables: `config` (cn=config for
`slapadd -n 0`) and `data` (the base tree for `slapadd -n 1`). Every value goes through the
LDIF writer, so passwords and names with any character survive; passwords are stored hashed.

Usage: python -m keyper.ldapinit config|data
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from urllib.request import pathname2url

from keyper import ldif, passwords
from keyper.config import DEFAULT_DOMAIN, base_dn, read_secret
from keyper.errors import ConfigError
from keyper.passwords import ssha

ADMIN_USER = "admin"
ADMINS_GROUP = "KeyperAdmins"
ALL_HOSTS_GROUP = "AllHosts"
SCHEMA_DIRS = ("/etc/ldap/schema", "/etc/openldap/schema")
MODULE_DIRS = ("/usr/lib/ldap", "/usr/lib/openldap", "/usr/lib64/openldap")
DATA_DIRS = ("/var/lib/ldap", "/var/lib/openldap/openldap-data")
STANDARD_SCHEMAS = ("core", "cosine", "inetorgperson")
OWN_SCHEMAS = ("openssh-lpk.ldif", "sudo.ldif", "keyper.ldif")
MDB_MAX_SIZE = 1 << 30


def _first_dir(environ: Mapping[str, str], name: str, candidates: tuple[str, ...]) -> str:
    if environ.get(name):
        return environ[name]
    for candidate in candidates:
        if Path(candidate).is_dir():
            return candidate
    raise ConfigError(f"{name}: not set and none of {', '.join(candidates)} exists")


def _tls_attributes(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    tls_dir = environ.get("LDAP_TLS_DIR", "")
    if not tls_dir:
        return []
    names = {
        "olcTLSCACertificateFile": environ.get("LDAP_TLS_CA_CRT_FILENAME") or "ca.crt",
        "olcTLSCertificateFile": environ.get("LDAP_TLS_CRT_FILENAME") or "server.crt",
        "olcTLSCertificateKeyFile": environ.get("LDAP_TLS_KEY_FILENAME") or "server.key",
    }
    attrs = [(attr, str(Path(tls_dir) / name)) for attr, name in names.items()]
    dh_param = environ.get("LDAP_TLS_DH_PARAM_FILENAME")
    if dh_param:
        attrs.append(("olcTLSDHParamFile", str(Path(tls_dir) / dh_param)))
    for attr, var in (
        ("olcTLSCipherSuite", "LDAP_TLS_CIPHER_SUITE"),
        ("olcTLSProtocolMin", "LDAP_TLS_PROTOCOL_MIN"),
        ("olcTLSVerifyClient", "LDAP_TLS_VERIFY_CLIENT"),
    ):
        if environ.get(var):
            attrs.append((attr, environ[var]))
    return attrs


def config_ldif(environ: Mapping[str, str]) -> str:
    """cn=config: modules, schemas, the config and mdb databases, and the overlays."""
    base = base_dn(environ.get("LDAP_DOMAIN") or DEFAULT_DOMAIN)
    password = read_secret(environ, "LDAP_ADMIN_PASSWORD") or ""
    schema_dir = _first_dir(environ, "LDAP_SCHEMA_DIR", SCHEMA_DIRS)
    module_dir = _first_dir(environ, "LDAP_MODULE_DIR", MODULE_DIRS)
    data_dir = _first_dir(environ, "LDAP_DATA_DIR", DATA_DIRS)
    auditlog = environ.get("LDAP_AUDITLOG_FILE", "")
    modules = ["back_mdb", "memberof", "refint", "ppolicy"] + (["auditlog"] if auditlog else [])
    head: list[ldif.Entry] = [
        (
            "cn=config",
            [
                ("objectClass", "olcGlobal"),
                ("cn", "config"),
                ("olcDisallows", "bind_anon"),
                ("olcRequires", "authc"),
                *_tls_attributes(environ),
            ],
        ),
        (
            "cn=module{0},cn=config",
            [("objectClass", "olcModuleList"), ("cn", "module{0}"), ("olcModulePath", module_dir)]
            + [("olcModuleLoad", module) for module in modules],
        ),
        ("cn=schema,cn=config", [("objectClass", "olcSchemaConfig"), ("cn", "schema")]),
    ]
    includes = "".join(
        f"include: file://{pathname2url(str(Path(schema_dir) / name))}.ldif\n\n"
        for name in STANDARD_SCHEMAS
    )
    own = "".join(
        resources.files("keyper").joinpath("ldap", name).read_text(encoding="utf-8") + "\n"
        for name in OWN_SCHEMAS
    )
    databases = ldif.document(_databases(base, password, data_dir, auditlog))
    return ldif.document(head) + includes + own + databases


def _databases(base: str, password: str, data_dir: str, auditlog: str) -> list[ldif.Entry]:
    mdb = "olcDatabase={1}mdb,cn=config"
    entries: list[ldif.Entry] = [
        (
            "olcDatabase={-1}frontend,cn=config",
            [
                ("objectClass", "olcDatabaseConfig"),
                ("objectClass", "olcFrontendConfig"),
                ("olcDatabase", "{-1}frontend"),
            ],
        ),
        (
            "olcDatabase={0}config,cn=config",
            [
                ("objectClass", "olcDatabaseConfig"),
                ("olcDatabase", "{0}config"),
                ("olcRootPW", ssha(password)),
                ("olcAccess", "{0}to * by * none"),
            ],
        ),
        (
            mdb,
            [("objectClass", "olcDatabaseConfig"), ("objectClass", "olcMdbConfig")]
            + [("olcDatabase", "{1}mdb"), ("olcDbDirectory", data_dir), ("olcSuffix", base)]
            + [("olcRootDN", f"cn=Manager,{base}"), ("olcRootPW", ssha(password))]
            + [("olcDbMaxSize", str(MDB_MAX_SIZE))]
            + [("olcDbIndex", f"{attr} eq") for attr in ("objectClass", "cn", "member")]
            + [
                ("olcAccess", "{0}to attrs=userPassword by self write by anonymous auth by * none"),
                ("olcAccess", "{1}to * by self read by * none"),
            ],
        ),
        (
            f"olcOverlay={{0}}memberof,{mdb}",
            [
                ("objectClass", "olcOverlayConfig"),
                ("objectClass", "olcMemberOf"),
                ("olcOverlay", "{0}memberof"),
                ("olcMemberOfRefInt", "TRUE"),
            ],
        ),
        (
            f"olcOverlay={{1}}refint,{mdb}",
            [
                ("objectClass", "olcOverlayConfig"),
                ("objectClass", "olcRefintConfig"),
                ("olcOverlay", "{1}refint"),
                ("olcRefintAttribute", "member"),
                ("olcRefintNothing", f"cn=Manager,{base}"),
            ],
        ),
        (
            f"olcOverlay={{2}}ppolicy,{mdb}",
            [
                ("objectClass", "olcOverlayConfig"),
                ("objectClass", "olcPPolicyConfig"),
                ("olcOverlay", "{2}ppolicy"),
                ("olcPPolicyHashCleartext", "TRUE"),
                ("olcPPolicyDefault", f"cn=default,ou=policies,{base}"),
            ],
        ),
    ]
    if auditlog:
        entries.append(
            (
                f"olcOverlay={{3}}auditlog,{mdb}",
                [
                    ("objectClass", "olcOverlayConfig"),
                    ("objectClass", "olcAuditlogConfig"),
                    ("olcOverlay", "{3}auditlog"),
                    ("olcAuditlogFile", auditlog),
                ],
            )
        )
    return entries


def data_ldif(environ: Mapping[str, str]) -> str:
    """The base entry, the OUs, the admin user, KeyperAdmins, AllHosts and the default policy."""
    base = base_dn(environ.get("LDAP_DOMAIN") or DEFAULT_DOMAIN)
    password = read_secret(environ, "LDAP_ADMIN_PASSWORD") or ""
    organization = environ.get("LDAP_ORGANIZATION_NAME") or "Example Inc."
    first_label = base.split(",")[0].removeprefix("dc=")
    admin_dn = f"cn={ADMIN_USER},ou=people,{base}"
    entries: list[ldif.Entry] = [
        (
            base,
            [
                ("objectClass", "dcObject"),
                ("objectClass", "organization"),
                ("dc", first_label),
                ("o", organization),
            ],
        ),
        *(
            (f"ou={ou},{base}", [("objectClass", "organizationalUnit"), ("ou", ou)])
            for ou in ("people", "Hosts", "groups", "policies")
        ),
        (
            f"cn=default,ou=policies,{base}",
            [
                ("objectClass", "device"),
                ("objectClass", "pwdPolicy"),
                ("cn", "default"),
                ("pwdAttribute", "userPassword"),
                ("pwdMinLength", "8"),
                ("pwdCheckQuality", "1"),
                ("pwdLockout", "TRUE"),
                ("pwdMaxFailure", "10"),
                ("pwdLockoutDuration", "600"),
            ],
        ),
        (
            admin_dn,
            [
                ("objectClass", "inetOrgPerson"),
                ("objectClass", "ldapPublicKey"),
                ("objectClass", "keyperAccount"),
                ("cn", ADMIN_USER),
                ("sn", "Administrator"),
                ("userPassword", ssha(password)),
                ("keyperPrincipal", ADMIN_USER),
            ],
        ),
        (
            f"cn={ADMINS_GROUP},ou=groups,{base}",
            [("objectClass", "groupOfNames"), ("cn", ADMINS_GROUP), ("member", admin_dn)],
        ),
        (
            f"cn={ALL_HOSTS_GROUP},ou=groups,{base}",
            [("objectClass", "groupOfNames"), ("cn", ALL_HOSTS_GROUP), ("member", admin_dn)],
        ),
    ]
    return ldif.document(entries)


def root_password_hashes(config_dir: Path) -> list[str]:
    """The olcRootPW values of the databases in a slapd.d configuration directory."""
    hashes = []
    for path in sorted(config_dir.glob("cn=config/olcDatabase=*.ldif")):
        # Unfold LDIF continuation lines (a line starting with one space continues the last).
        text = path.read_text(encoding="utf-8").replace("\n ", "")
        for line in text.splitlines():
            if line.startswith("olcRootPW:: "):
                hashes.append(base64.b64decode(line[len("olcRootPW:: ") :]).decode("utf-8"))
            elif line.startswith("olcRootPW: "):
                hashes.append(line[len("olcRootPW: ") :])
    return hashes


def check_password(environ: Mapping[str, str], config_dir: Path) -> None:
    """On later starts: the configured admin password must be the directory's own."""
    password = read_secret(environ, "LDAP_ADMIN_PASSWORD") or ""
    hashes = root_password_hashes(config_dir)
    if not hashes:
        raise ConfigError(f"{config_dir}: no olcRootPW found; is this a keyper configuration?")
    if not any(passwords.check_ssha(password, hashed) for hashed in hashes):
        raise ConfigError(
            "LDAP_ADMIN_PASSWORD: not the password of the existing directory in "
            f"{config_dir} (it is set at the first start; change it in LDAP, not here)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m keyper.ldapinit",
        description="Print the LDIF for a first slapd start, built from environment variables; "
        "or check LDAP_ADMIN_PASSWORD against an existing configuration directory.",
    )
    parser.add_argument(
        "part", choices=["config", "data", "check-password"], help="what to print or check"
    )
    parser.add_argument("config_dir", nargs="?", type=Path, help="for check-password")
    args = parser.parse_args(argv)
    try:
        if args.part == "check-password":
            if args.config_dir is None:
                parser.error("check-password needs the configuration directory")
            check_password(os.environ, args.config_dir)
            return 0
        text = config_ldif(os.environ) if args.part == "config" else data_ldif(os.environ)
    except ConfigError as exc:
        print(f"keyper.ldapinit: {exc}", file=sys.stderr)
        return 78
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
