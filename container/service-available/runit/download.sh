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

# The base image links `sv` to lightbase's shim because runit was absent; that link comes
# first on PATH (/usr/local/bin) and would hide the sv just installed. Remove every such link
# in PATH, so `sv` is runit's from now on (`lightbase sv` still asks lightbase).
IFS=:
for dir in $PATH; do
    link="$dir/sv"
    [ -L "$link" ] || continue
    case "$(readlink -f "$link")" in
        */lightbase-sv) rm -f "$link" ;;
    esac
done
unset IFS
sv_path=$(command -v sv || true)
case "$(readlink -f "${sv_path:-/nonexistent}")" in
    */lightbase-sv | "")
        echo "runit/download.sh: runit's sv is not first on PATH (found: ${sv_path:-none})" >&2
        exit 1
        ;;
esac
