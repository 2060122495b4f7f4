#!/bin/sh
# Build steps of the keyper image, for Debian (apt-get) and Alpine (apk) bases alike. The
# package names of both live here and nowhere else.
#
#   build.sh packages     slapd, the LDAP clients, nginx, ssh-keygen, openssl and the API's
#                         Python libraries, from the distribution
#   build.sh app DIR      make the keyper package in DIR/keyper importable, byte-compiled
#   build.sh finish       accounts, directories, install-service, permissions, strip
set -eu

# Defaults of LDAP_UID/LDAP_GID, NGINX_UID/NGINX_GID and KEYPER_UID/KEYPER_GID
# (environment/default.yaml); the startup scripts move an account when the variables differ.
LDAP_ID=10100
NGINX_ID=10080
KEYPER_ID=10200

die() {
    printf 'build.sh: %s\n' "$*" >&2
    exit 1
}

package_manager() {
    if command -v apk >/dev/null 2>&1; then
        echo apk
    elif command -v apt-get >/dev/null 2>&1; then
        echo apt
    else
        die "no supported package manager (apk or apt-get) in the base image"
    fi
}

packages() {
    case "$(package_manager)" in
        apk)
            apk add --no-cache openldap openldap-clients openldap-back-mdb \
                openldap-overlay-memberof openldap-overlay-refint openldap-overlay-ppolicy \
                openldap-overlay-auditlog nginx openssh-keygen openssl shadow \
                py3-flask py3-ldap3 py3-jwt py3-jsonschema py3-gunicorn
            ;;
        apt)
            log=$(mktemp)
            # slapd's maintainer scripts would build a database of their own: preseed them
            # to leave that to our first start.
            if ! { echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections \
                && apt-get update -qq \
                && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    slapd ldap-utils nginx-light openssh-client openssl \
                    python3-flask python3-ldap3 python3-jwt python3-jsonschema gunicorn; } \
                >"$log" 2>&1; then
                cat "$log" >&2
                die "apt-get install failed"
            fi
            rm -f "$log"
            apt-get clean
            rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old \
                /var/lib/dpkg/*-old /var/log/apt /var/log/dpkg.log /var/log/alternatives.log
            # The package's own config and database are not used (see LDAP_CONFIG_DIR).
            rm -rf /etc/ldap/slapd.d /var/lib/ldap/*
            ;;
    esac
}

# app DIR: DIR holds the keyper package (a pure-Python package, its dependencies are the
# distribution's packages installed above); a .pth file puts DIR on the interpreter's path.
app() {
    dir=$1
    [ -f "$dir/keyper/__init__.py" ] || die "$dir/keyper is not the keyper package"
    site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    mkdir -p "$site"
    printf '%s\n' "$dir" >"$site/keyper.pth"
    find "$dir" -name __pycache__ -prune -exec rm -rf {} +
    python3 -m compileall -q "$dir" >/dev/null
    python3 -c 'import keyper.app, keyper.ldapinit, keyper.cainit' \
        || die "the keyper package does not import"
}

# account NAME ID: a system user and its group, both numbered ID; an existing one (Alpine's
# packages create ldap and nginx) is renumbered.
account() {
    name=$1
    id=$2
    if getent group "$name" >/dev/null; then
        groupmod -g "$id" "$name"
    else
        groupadd -g "$id" "$name"
    fi
    if getent passwd "$name" >/dev/null; then
        usermod -u "$id" -g "$id" "$name"
    else
        useradd -u "$id" -g "$id" -d /nonexistent -s /bin/false -M "$name"
    fi
}

finish() {
    account ldap "$LDAP_ID"
    account nginx "$NGINX_ID"
    account keyper "$KEYPER_ID"
    # Mount points of the volumes; the startup scripts give each to its service's user.
    mkdir -p /etc/openldap/slapd.d /var/lib/openldap/openldap-data /etc/sshca /etc/keyper/tls
    chmod 0755 /usr/share/keyper/scripts
    chmod 0644 /usr/share/keyper/scripts/*
    find /container/service -name '*.sh' -exec chmod 0755 {} +
    install-service
    chgrp -R 0 /container/service /container/environment
    chmod -R g=u /container/service /container/environment
    rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* \
        /root/.cache /var/cache/apk/* /var/log/nginx/*
}

[ "$#" -ge 1 ] || die "usage: build.sh packages|app DIR|finish"
step=$1
shift
case "$step" in
    packages) packages ;;
    app)
        [ "$#" -eq 1 ] || die "usage: build.sh app DIR"
        app "$1"
        ;;
    finish) finish ;;
    *) die "unknown step: $step" ;;
esac
