#!/bin/sh
# The keyper API: its account, the CA directory (its volume) with both CA key pairs and an
# empty KRL on the first start, and a token secret when none is configured. Idempotent.
set -eu
# shellcheck disable=SC1091 # installed by the image (images/keyper/lib/common.sh)
. /usr/local/lib/keyper/common.sh

ensure_account keyper KEYPER_UID KEYPER_GID
require_path SSH_CA_DIR
require_number KEYPER_WORKERS
case "$SSH_CA_KEY_TYPE" in
    rsa | ecdsa | ed25519) ;;
    *) die "SSH_CA_KEY_TYPE: expected rsa, ecdsa or ed25519, got '$SSH_CA_KEY_TYPE'" ;;
esac
own_dir "$SSH_CA_DIR" keyper

# Without KEYPER_TOKEN_SECRET[_FILE] the API signs its tokens with a secret made once and
# kept on the CA volume (process.sh points the API at it).
secret_file=$SSH_CA_DIR/token_secret
if [ -z "${KEYPER_TOKEN_SECRET:-}" ] && [ ! -e "$secret_file" ]; then
    info "KEYPER_TOKEN_SECRET not set: creating a token secret in $secret_file"
    setuser keyper python3 -c '
import os, secrets, sys
path = sys.argv[1]
temp = path + ".new"
fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, secrets.token_urlsafe(48).encode())
os.close(fd)
os.replace(temp, path)
' "$secret_file"
fi
if [ -z "${KEYPER_TOKEN_SECRET:-}" ]; then
    unset KEYPER_TOKEN_SECRET
    export KEYPER_TOKEN_SECRET_FILE="$secret_file"
fi

case "$SSH_CA_USER_KEY" in
    /*) user_key=$SSH_CA_USER_KEY ;;
    *) user_key=$SSH_CA_DIR/$SSH_CA_USER_KEY ;;
esac
if [ ! -e "$user_key" ]; then
    info "first start: creating the SSH CA keys (SSH_CA_KEY_TYPE) and an empty KRL in $SSH_CA_DIR"
fi
# Creates only what is missing: keys (0600, the API's user only), the KRL, work dirs.
setuser keyper python3 -m keyper.cainit || die "SSH CA in $SSH_CA_DIR: keyper.cainit failed"
