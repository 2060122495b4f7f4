#!/bin/sh
# The keyper API under gunicorn, as the keyper user, on loopback (nginx is the way in).
set -eu
if [ -z "${KEYPER_TOKEN_SECRET:-}" ]; then
    # The secret startup.sh made; the API reads it from the file, so it is in no environment.
    unset KEYPER_TOKEN_SECRET
    export KEYPER_TOKEN_SECRET_FILE="$SSH_CA_DIR/token_secret"
fi
cd /
exec setuser keyper gunicorn --bind 127.0.0.1:8000 --workers "$KEYPER_WORKERS" \
    --error-logfile - --log-level warning 'keyper.app:create_app()'
