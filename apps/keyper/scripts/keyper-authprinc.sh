#!/bin/sh
# sshd AuthorizedPrincipalsCommand: print the principals keyper accepts for USER's certificate
# (given by key fingerprint and serial) on this host; nothing when it is unknown or revoked.
#
#   AuthorizedPrincipalsCommand /etc/ssh/keyper/keyper-authprinc.sh -u https://keyper.example.org -c /etc/ssh/keyper/ca.crt %u %f %s
#   AuthorizedPrincipalsCommandUser nobody
#
# Options as keyper-authkeys.sh. Arguments: USER FINGERPRINT SERIAL.
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
if [ -z "$url" ] || [ "$#" -ne 3 ]; then
    echo "usage: $0 -u URL [-c CACERT] [-n HOST] USER FINGERPRINT SERIAL" >&2
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

fetch --get --data-urlencode "username=$1" --data-urlencode "host=$host" \
    --data-urlencode "fingerprint=$2" --data-urlencode "serial=$3" "$url/api/authprinc"
