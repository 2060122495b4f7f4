#!/usr/bin/env bash
# Install the peers the benchmark compares lightbase with, from Debian's packages (needs root).
# `make bench` and `make bench-quick` call it; it does nothing when all of them are installed.
set -euo pipefail

packages=(runit s6 supervisor tini dumb-init)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "bench/setup.sh: installing ${missing[*]} needs root" >&2
    exit 1
fi

# supervisor's package scripts start a supervisord daemon when allowed to: on a machine without
# an init system that would leave one running. Deny service starts during the install, unless
# the machine already has a policy (container images usually do).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: plain `runit` only (runsvdir, runsv, sv); its recommended
# runit-init would try to become the machine's init.
apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
