#!/bin/sh
# Fetch keyper's user CA public key and KRL into DIR for sshd (TrustedUserCAKeys, RevokedKeys),
# and the host CA key for clients' known_hosts. Each file is replaced atomically and only
# when the download succeeded, so sshd never reads half a KRL. Run it from cron or a timer.
#
#   keyper-fetch.sh -u https://keyper.example.org -c /etc/ssh/keyper/ca.crt -d /etc/ssh/keyper
#
# Writes DIR/user_ca.pub, DIR/host_ca.pub and DIR/krl.
set -eu

url="" cacert="" dir=""
while getopts u:c:d: opt; do
    case "$opt" in
        u) url="$OPTARG" ;;
        c) cacert="$OPTARG" ;;
        d) dir="$OPTARG" ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ -z "$url" ] || [ -z "$dir" ] || [ "$#" -ne 0 ]; then
    echo "usage: $0 -u URL [-c CACERT] -d DIR" >&2
    exit 2
fi

fetch() {
    if [ -n "$cacert" ]; then
        curl --silent --show-error --fail --max-time 15 --proto =https,http --cacert "$cacert" "$@"
    else
        curl --silent --show-error --fail --max-time 15 --proto =https,http "$@"
    fi
}

get() {
    tmp="$(mktemp "$dir/.$2.XXXXXX")"
    if fetch --output "$tmp" "$url/api/$1" && [ -s "$tmp" ]; then
        chmod 0644 "$tmp"
        mv -f "$tmp" "$dir/$2"
    else
        rm -f "$tmp"
        echo "$0: cannot fetch $url/api/$1" >&2
        return 1
    fi
}

get userca user_ca.pub
get hostca host_ca.pub
get krl krl
