#!/bin/sh
# Runs syslog-ng in the foreground: it listens on /dev/log and writes every message to the
# container log (its stdout) and to /var/log/syslog (rotated by the logrotate service).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p /var/lib/syslog-ng
# A socket left by a previous run would make the readiness check pass too early.
rm -f /dev/log
# --no-caps: a container usually lacks the capabilities syslog-ng would otherwise keep.
exec syslog-ng -F --no-caps -f "$here/assets/syslog-ng.conf" \
    -p /var/lib/syslog-ng/syslog-ng.pid \
    -c /var/lib/syslog-ng/syslog-ng.ctl \
    -R /var/lib/syslog-ng/syslog-ng.persist
