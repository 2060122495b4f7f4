#!/bin/sh
# Fails on purpose: the container must exit with this code before any process starts.
echo "broken: startup fails on purpose"
exit 7
