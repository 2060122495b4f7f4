#!/bin/sh
# Installs a cron daemon at image build time (run by add-service-available).
# Debian: the cron package. Alpine: busybox already has crond; cronie only if it does not.
set -eu

if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends cron
    rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
    command -v crond >/dev/null 2>&1 || apk add --no-cache cronie
else
    echo "cron/download.sh: neither apt-get nor apk found: install cron yourself" >&2
    exit 1
fi
