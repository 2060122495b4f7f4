#!/bin/sh
# Writes the page the api serves. Runs at every start; idempotent.
set -eu
page_dir="${CONTAINER_STATE_DIR}/api"
mkdir -p "$page_dir"
printf '%s (the admin password was %s characters long)\n' \
    "$DEMO_GREETING" "${#DEMO_ADMIN_PASSWORD}" > "$page_dir/index.txt"
echo "api: page written to $page_dir/index.txt"
