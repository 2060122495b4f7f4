#!/bin/sh
# Runs the cron daemon in the foreground under lightbase's supervisor.
# Jobs do not inherit the container's environment: a job that needs it sources
# /container/run/environment.sh. Job output is mailed by cron (and dropped without an
# MTA): redirect it, e.g. `... 2>&1 | logger -t myjob` to reach the container log.
set -eu

if command -v cron >/dev/null 2>&1; then
    exec cron -f                  # Debian
elif command -v crond >/dev/null 2>&1; then
    exec crond -f -d 8            # Alpine/busybox: -d logs to stderr (the container log)
fi
echo "cron/process.sh: no cron daemon found (cron or crond): run add-service-available :cron" >&2
exit 127
