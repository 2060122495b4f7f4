#!/bin/sh
# Writes the page the api serves. The bootstrap password (a startup-only variable, deleted
# after the first successful startup) is used only on the first start; later starts keep
# the page they find, so restarting the container is clean.
set -eu
page_dir="${CONTAINER_STATE_DIR}/api"
page="$page_dir/index.txt"
if [ -e "$page" ]; then
    echo "api: page already written at $page"
    exit 0
fi
mkdir -p "$page_dir"
printf '%s (the admin password was %s characters long)\n' \
    "$DEMO_GREETING" "${#DEMO_ADMIN_PASSWORD}" > "$page"
echo "api: page written to $page"
