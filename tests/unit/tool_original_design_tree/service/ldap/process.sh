#!/bin/bash -e
log-helper info "ldap: Starting"
exec sleep 3600
