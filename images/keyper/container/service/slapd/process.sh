#!/bin/sh
# slapd in the foreground: started as root to bind the ports, then running as ldap.
set -eu
# dash and busybox sh both have ulimit -S/-H: -S raises the soft limit only, up to the hard one.
# shellcheck disable=SC3045
if ! ulimit -S -n "$LDAP_NOFILE" 2>/dev/null; then
    # shellcheck disable=SC3045
    echo "slapd: LDAP_NOFILE=$LDAP_NOFILE is above this container's open-files limit ($(ulimit -H -n))" >&2
    exit 78
fi
socket=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
    "$CONTAINER_RUN_DIR/slapd/ldapi")
exec slapd -d "$LDAP_LOG_LEVEL" -F "$LDAP_CONFIG_DIR" -u ldap -g ldap \
    -h "ldap://:$LDAP_PORT/ ldaps://:$LDAPS_PORT/ ldapi://$socket"
