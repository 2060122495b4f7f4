#!/bin/sh
# Installs syslog-ng at image build time (run by add-service-available).
set -eu

if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends syslog-ng-core
    rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
    apk add --no-cache syslog-ng
else
    echo "syslog-ng-core/download.sh: neither apt-get nor apk found: install syslog-ng yourself" >&2
    exit 1
fi
