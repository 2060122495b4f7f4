#!/bin/sh
# nginx in the foreground (daemon off in its configuration); its master runs as root to bind
# the ports and read the key, its workers as nginx. Logs go to the container's stdout/stderr.
set -eu
exec nginx -e stderr -c "$CONTAINER_RUN_DIR/nginx/nginx.conf"
