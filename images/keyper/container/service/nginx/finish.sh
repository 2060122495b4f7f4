#!/bin/sh
# After nginx's master ended: workers of a master that was killed outright keep the ports,
# and the next master could not bind them. They are in the master's process group (the
# master's PID, left in its pid file); end them.
set -u
pid_file=$CONTAINER_RUN_DIR/nginx/nginx.pid
if [ -s "$pid_file" ]; then
    pid=$(cat "$pid_file")
    case "$pid" in
        '' | *[!0-9]*) ;;
        *) kill -s KILL -- "-$pid" 2>/dev/null ;;
    esac
    rm -f "$pid_file"
fi
exit 0
