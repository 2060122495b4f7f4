#!/bin/bash -e
# Original-design style on purpose: unquoted $(...) tests and values passed as "${!row}".
# shellcheck disable=SC2046

log-helper info "ldap: configuring ${LDAP_DOMAIN}"
config="${CONTAINER_RUN_DIR}/ldap.conf"
: > "$config"

for host in $(complex-bash-env iterate LDAP_REPLICATION_HOSTS); do
  echo "replica ${!host}" >> "$config"
done

for row in $(complex-bash-env iterate LDAP_OPTIONS); do
  if [ $(complex-bash-env isRow "${!row}") = true ]; then
    key=$(complex-bash-env getRowKey "${!row}")
    value=$(complex-bash-env getRowValue "${!row}")
    echo "$key $value" >> "$config"
  fi
done

log-helper debug "ldap: wrote ${config}"
log-helper info "ldap: admin bind with ${LDAP_ADMIN_PASSWORD}"
exit 0
