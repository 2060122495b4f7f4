#!/bin/sh
# slapd: check the settings, make sure a TLS certificate exists, and on the first start (both
# volumes empty) build cn=config and the database with slapadd from keyper.ldapinit's LDIF.
# Later starts find both and change nothing.
set -eu
# shellcheck disable=SC1091 # installed by the image (images/keyper/lib/common.sh)
. /usr/local/lib/keyper/common.sh

check_admin_password
require_port LDAP_PORT
require_port LDAPS_PORT
require_number LDAP_NOFILE
# Checked here, where a failure stops the container, not only in process.sh, where it would
# be restarted over and over. (A subshell: the limit itself is set in process.sh.)
# shellcheck disable=SC3045
if ! (ulimit -S -n "$LDAP_NOFILE") 2>/dev/null; then
    # shellcheck disable=SC3045
    echo "slapd: LDAP_NOFILE=$LDAP_NOFILE is above this container's open-files limit ($(ulimit -H -n))" >&2
    exit 78
fi
require_path LDAP_CONFIG_DIR
require_path LDAP_DATA_DIR
ensure_account ldap LDAP_UID LDAP_GID
ensure_tls

# The ldapi socket (the readiness check talks to slapd through it).
mkdir -p "$CONTAINER_RUN_DIR/slapd"
chown ldap:ldap "$CONTAINER_RUN_DIR/slapd"
chmod 0755 "$CONTAINER_RUN_DIR/slapd"

has_config=false
has_data=false
[ -e "$LDAP_CONFIG_DIR/cn=config.ldif" ] && has_config=true
[ -e "$LDAP_DATA_DIR/data.mdb" ] && has_data=true

if [ "$has_config" = true ] && [ "$has_data" = true ]; then
    # A wrong password would leave the API unable to bind while everything looks healthy.
    python3 -m keyper.ldapinit check-password "$LDAP_CONFIG_DIR" || exit 78
    own_dir "$LDAP_CONFIG_DIR" ldap
    own_dir "$LDAP_DATA_DIR" ldap
    exit 0
fi
if [ "$has_config" = true ]; then
    die "LDAP_CONFIG_DIR $LDAP_CONFIG_DIR holds a configuration but LDAP_DATA_DIR $LDAP_DATA_DIR" \
        "holds no database: mount the data volume that belongs to it, or empty both to start afresh"
fi
if [ "$has_data" = true ]; then
    die "LDAP_DATA_DIR $LDAP_DATA_DIR holds a database but LDAP_CONFIG_DIR $LDAP_CONFIG_DIR" \
        "holds no configuration: mount the config volume that belongs to it, or empty both to start afresh"
fi
for dir in "$LDAP_CONFIG_DIR" "$LDAP_DATA_DIR"; do
    is_empty "$dir" || die "$dir is neither empty nor initialised (LDAP_CONFIG_DIR $LDAP_CONFIG_DIR," \
        "LDAP_DATA_DIR $LDAP_DATA_DIR): empty both to initialise them"
done

info "first start: creating the LDAP configuration in $LDAP_CONFIG_DIR and the directory" \
    "for $LDAP_DOMAIN in $LDAP_DATA_DIR"
own_dir "$LDAP_CONFIG_DIR" ldap
own_dir "$LDAP_DATA_DIR" ldap
work=$(mktemp -d)
# A failed first start leaves both volumes empty, so the next start tries again.
cleanup() {
    rm -rf "$work"
    find "$LDAP_CONFIG_DIR" "$LDAP_DATA_DIR" -mindepth 1 -maxdepth 1 ! -name lost+found \
        -exec rm -rf {} +
}
trap cleanup EXIT

dh_param=$LDAP_TLS_DIR/$LDAP_TLS_DH_PARAM_FILENAME
[ -e "$dh_param" ] || dh_param=
# The LDIF holds password hashes only; the work dir is root's alone.
LDAP_TLS_DH_PARAM_FILENAME=${dh_param:+$LDAP_TLS_DH_PARAM_FILENAME} \
    python3 -m keyper.ldapinit config >"$work/config.ldif"
python3 -m keyper.ldapinit data >"$work/data.ldif"
for part in 0:config 1:data; do
    if ! setuser ldap slapadd -q -n "${part%%:*}" -F "$LDAP_CONFIG_DIR" \
        <"$work/${part#*:}.ldif" >"$work/slapadd.log" 2>&1; then
        cat "$work/slapadd.log" >&2
        die "slapadd of the ${part#*:} LDIF failed (LDAP_CONFIG_DIR $LDAP_CONFIG_DIR," \
            "LDAP_DATA_DIR $LDAP_DATA_DIR); both were emptied again"
    fi
done
trap - EXIT
rm -rf "$work"
info "LDAP directory created: base DN $(python3 -c 'import sys; from keyper.config import base_dn; print(base_dn(sys.argv[1]))' "$LDAP_DOMAIN"), administrator cn=admin"
