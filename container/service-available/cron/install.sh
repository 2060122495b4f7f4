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

# Debian's cron PAM session also reads /etc/default/locale (pam_env envfile=), which a minimal
# image lacks: every job would log "pam_env(cron:session): Unable to open env file" at error
# level. An empty file means "no locale settings", as on a system without the locales package.
if [ -f "$pam" ] && grep -q 'envfile=/etc/default/locale' "$pam" && [ ! -e /etc/default/locale ]; then
    mkdir -p /etc/default
    : > /etc/default/locale
    chmod 0644 /etc/default/locale
fi
