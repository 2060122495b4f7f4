# shellcheck shell=sh
# Functions shared by the keyper services' startup scripts (POSIX sh, sourced). Every check
# names the variable it rejects; values reach commands as arguments, never as code.

# The image's default LDAP_ADMIN_PASSWORD (environment/default.yaml): refused unless
# KEYPER_DEV_MODE=true, so a container someone forgot to configure never serves production.
KEYPER_DEFAULT_ADMIN_PASSWORD=keyper-development-only

info() {
    log-helper info "$*"
}

die() {
    log-helper error "$*"
    exit 1
}

# value NAME: the value of the environment variable NAME (empty when unset); printenv reads
# it by name, so no name is ever expanded as code.
value() {
    printenv "$1" || true
}

require_number() {
    case "$(value "$1")" in
        '' | *[!0-9]*) die "$1: expected a number, got '$(value "$1")'" ;;
    esac
}

require_port() {
    require_number "$1"
    port=$(value "$1")
    if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        die "$1: expected a TCP port 1-65535, got $port"
    fi
}

# require_filename NAME: a plain file name, safe inside nginx's and slapd's configuration.
require_filename() {
    case "$(value "$1")" in
        '' | *[!A-Za-z0-9._-]* | .*) die "$1: expected a file name of letters, digits, '.', '_' or '-', got '$(value "$1")'" ;;
    esac
}

# require_path NAME: an absolute path of the same safe characters.
require_path() {
    case "$(value "$1")" in
        /*) ;;
        *) die "$1: expected an absolute path, got '$(value "$1")'" ;;
    esac
    case "$(value "$1")" in
        *[!A-Za-z0-9._/-]*) die "$1: expected a path of letters, digits, '.', '_', '-' and '/', got '$(value "$1")'" ;;
    esac
}

require_boolean() {
    case "$(value "$1")" in
        true | false) ;;
        *) die "$1: expected true or false, got '$(value "$1")'" ;;
    esac
}

check_admin_password() {
    require_boolean KEYPER_DEV_MODE
    [ -n "${LDAP_ADMIN_PASSWORD:-}" ] \
        || die "LDAP_ADMIN_PASSWORD: empty; set LDAP_ADMIN_PASSWORD or LDAP_ADMIN_PASSWORD_FILE"
    if [ "$LDAP_ADMIN_PASSWORD" = "$KEYPER_DEFAULT_ADMIN_PASSWORD" ] \
        && [ "$KEYPER_DEV_MODE" != true ]; then
        die "LDAP_ADMIN_PASSWORD: still the image's default; set LDAP_ADMIN_PASSWORD or" \
            "LDAP_ADMIN_PASSWORD_FILE (or KEYPER_DEV_MODE=true for a throwaway development container)"
    fi
}

# ensure_account NAME UID_VARIABLE GID_VARIABLE: give the account NAME and its group the
# numbers the variables ask for (a change only when they differ from the image's).
ensure_account() {
    name=$1
    require_number "$2"
    require_number "$3"
    want_uid=$(value "$2")
    want_gid=$(value "$3")
    if [ "$(getent group "$name" | cut -d: -f3)" != "$want_gid" ]; then
        info "group $name: GID $want_gid ($3)"
        groupmod -g "$want_gid" "$name" || die "$3: cannot renumber group $name to $want_gid"
    fi
    if [ "$(id -u "$name")" != "$want_uid" ] || [ "$(id -g "$name")" != "$want_gid" ]; then
        info "user $name: UID $want_uid ($2)"
        usermod -u "$want_uid" -g "$want_gid" "$name" \
            || die "$2: cannot renumber user $name to $want_uid"
    fi
}

# is_empty DIR: nothing in DIR but a file system's lost+found.
is_empty() {
    [ -z "$(find "$1" -mindepth 1 -maxdepth 1 ! -name lost+found -print 2>/dev/null | head -n 1)" ]
}

# own_dir DIR USER: DIR belongs to USER with mode 0700. A directory that USER does not own
# yet is handed over once, recursively only when it already has content (the account's
# numbers changed); a correct one is left alone, so restarts never walk big volumes.
own_dir() {
    dir=$1
    user=$2
    mkdir -p "$dir"
    uid=$(id -u "$user")
    gid=$(id -g "$user")
    if [ "$(stat -c %u:%g "$dir")" = "$uid:$gid" ]; then
        return 0
    fi
    if is_empty "$dir"; then
        chown "$uid:$gid" "$dir"
    else
        info "$dir: owner $(stat -c %u:%g "$dir") -> $uid:$gid ($user), changing every file"
        chown -R "$uid:$gid" "$dir"
    fi
    chmod 0700 "$dir"
}

# ensure_tls: the TLS certificate, key and CA certificate in LDAP_TLS_DIR that slapd and
# nginx use; when none are provided, a self-signed certificate for HOSTNAME is made once
# (keep LDAP_TLS_DIR on a volume so clients can keep trusting it).
ensure_tls() {
    require_path LDAP_TLS_DIR
    require_filename LDAP_TLS_CRT_FILENAME
    require_filename LDAP_TLS_KEY_FILENAME
    require_filename LDAP_TLS_CA_CRT_FILENAME
    require_filename LDAP_TLS_DH_PARAM_FILENAME
    crt=$LDAP_TLS_DIR/$LDAP_TLS_CRT_FILENAME
    key=$LDAP_TLS_DIR/$LDAP_TLS_KEY_FILENAME
    ca=$LDAP_TLS_DIR/$LDAP_TLS_CA_CRT_FILENAME
    if [ ! -e "$crt" ] && [ ! -e "$key" ]; then
        make_self_signed "$crt" "$key" "$ca"
    fi
    [ -r "$crt" ] || die "LDAP_TLS_CRT_FILENAME: $crt is missing or unreadable"
    [ -r "$key" ] || die "LDAP_TLS_KEY_FILENAME: $key is missing or unreadable"
    [ -r "$ca" ] || die "LDAP_TLS_CA_CRT_FILENAME: $ca is missing (the CA certificate that signed $crt; for a self-signed one, a copy of it)"
    setuser ldap test -r "$key" \
        || die "LDAP_TLS_KEY_FILENAME: $key is not readable by slapd's user ldap (UID $(id -u ldap)); make it group-readable by GID $(id -g ldap)"
}

make_self_signed() {
    crt=$1
    key=$2
    ca=$3
    # HOSTNAME comes from the container engine's environment, not from the shell.
    # shellcheck disable=SC3028
    name=${HOSTNAME:-keyper}
    case "$name" in
        '' | *[!A-Za-z0-9.-]*) name=keyper ;;
    esac
    mkdir -p "$LDAP_TLS_DIR"
    info "no TLS certificate in $LDAP_TLS_DIR: creating a self-signed one for $name"
    work=$(mktemp -d "$LDAP_TLS_DIR/.new.XXXXXX")
    if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -days 3650 -subj "/CN=$name" \
        -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1" \
        -keyout "$work/key" -out "$work/crt" >"$work/log" 2>&1; then
        cat "$work/log" >&2
        rm -rf "$work"
        die "LDAP_TLS_DIR: openssl could not create a certificate in $LDAP_TLS_DIR"
    fi
    # slapd reads the key as ldap: group ldap, no one else.
    chown "0:$(id -g ldap)" "$work/key"
    chmod 0640 "$work/key"
    chmod 0644 "$work/crt"
    mv "$work/key" "$key"
    mv "$work/crt" "$crt"
    rm -rf "$work"
    # A CA certificate someone provided is kept; otherwise the certificate is its own CA.
    [ -e "$ca" ] || cp "$crt" "$ca"
}
