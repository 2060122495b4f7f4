#!/bin/sh
# Installs logrotate at image build time (run by add-service-available). The package runs
# it daily from cron: /etc/cron.daily/logrotate (Debian), /etc/periodic/daily (Alpine).
set -eu

if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends logrotate
    rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
    apk add --no-cache logrotate
else
    echo "logrotate/download.sh: neither apt-get nor apk found: install logrotate yourself" >&2
    exit 1
fi
