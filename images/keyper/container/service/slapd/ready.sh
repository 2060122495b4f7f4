#!/bin/sh
# Ready when slapd answers a search: the root DSE over the ldapi socket, authenticated as the
# connecting process (SASL EXTERNAL), so no password is needed here.
set -eu
socket=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' \
    "$CONTAINER_RUN_DIR/slapd/ldapi")
exec ldapsearch -LLL -Q -Y EXTERNAL -H "ldapi://$socket" -b "" -s base namingContexts >/dev/null 2>&1
