#!/bin/sh
# Build-time fix-up for cron in containers (run by install-service).
set -eu

# Debian's cron session requires pam_loginuid, which a container may not be allowed to set
# (/proc/self/loginuid is read-only without CAP_AUDIT_CONTROL): every job would then fail
# with a PAM error. Make the module optional so jobs run either way.
pam=/etc/pam.d/cron
if [ -f "$pam" ] && grep -Eq '^session[[:space:]]+required[[:space:]]+pam_loginuid\.so' "$pam"; then
    tmp="$pam.lightbase-tmp"
    sed -E 's/^(session[[:space:]]+)required([[:space:]]+pam_loginuid\.so)/\1optional\2/' \
        "$pam" > "$tmp"
    chmod 0644 "$tmp"
    mv "$tmp" "$pam"
fi
