#!/bin/bash -e
sv check /container/run/process/ldap
log-helper info "web: Starting"
exec sleep 3600
