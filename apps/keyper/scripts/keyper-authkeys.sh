#!/bin/sh
# sshd AuthorizedKeysCommand: print the keys keyper allows USER to log in with on this host.
#
#   AuthorizedKeysCommand /etc/ssh/keyper/keyper-authkeys.sh -u https://keyper.example.org -c /etc/ssh/keyper/ca.crt %u %f
#   AuthorizedKeysCommandUser nobody
#
# Options: -u URL     keyper's base URL (https://... in production; http:// only for tests)
#          -c FILE    CA certificate that signed keyper's TLS certificate (curl --cacert)
#          -n NAME    this host's name in keyper (default: output of `hostname`)
# Arguments: USER [FINGERPRINT]. Prints nothing (denies) on any error.
set -eu

url="" cacert="" host=""
while getopts u:c:n: opt; do
    case "$opt" in
        u) url="$OPTARG" ;;
        c) cacert="$OPTARG" ;;
        n) host="$OPTARG" ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ -z "$url" ] || [ "$#" -lt 1 ]; then
    echo "usage: $0 -u URL [-c CACERT] [-n HOST] USER [FINGERPRINT]" >&2
    exit 2
fi
[ -n "$host" ] || host="$(hostname)"

fetch() {
    if [ -n "$cacert" ]; then
        curl --silent --show-error --fail --max-time 7 --proto =https,http --cacert "$cacert" "$@"
    else
        curl --silent --show-error --fail --max-time 7 --proto =https,http "$@"
    fi
}

if [ "$#" -ge 2 ] && [ -n "$2" ]; then
    fetch --get --data-urlencode "username=$1" --data-urlencode "host=$host" \
        --data-urlencode "fingerprint=$2" "$url/api/authkeys"
else
    fetch --get --data-urlencode "username=$1" --data-urlencode "host=$host" "$url/api/authkeys"
fi
