#!/bin/sh
# Build-time setup of logrotate (run by install-service): rotate syslog-ng's file, daily.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p /etc/logrotate.d
# Replaces the syslog-ng package's own rules: they name files our syslog-ng.conf does not
# write and reload it through init scripts a container does not run.
install -m 0644 "$here/assets/syslog-ng" /etc/logrotate.d/syslog-ng

# The package normally brings its daily job; add one where it did not.
if [ -d /etc/periodic/daily ]; then
    daily=/etc/periodic/daily/logrotate
else
    mkdir -p /etc/cron.daily
    daily=/etc/cron.daily/logrotate
fi
if [ ! -e "$daily" ]; then
    printf '#!/bin/sh\nexec /usr/sbin/logrotate /etc/logrotate.conf\n' > "$daily"
    chmod 0755 "$daily"
fi
