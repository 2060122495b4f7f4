#!/bin/sh
# Installs runit at image build time (run by add-service-available): its runsvdir for
# `lightbase run --supervisor runit` and its real sv. The service itself runs nothing.
set -eu

if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends runit
    rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
    apk add --no-cache runit
else
    echo "runit/download.sh: neither apt-get nor apk found: install runit yourself" >&2
    exit 1
fi
