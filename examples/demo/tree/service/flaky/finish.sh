#!/bin/sh
# Runs after every exit of flaky's process, with its exit code and signal.
echo "flaky: finish.sh saw exit code $1, signal $2"
