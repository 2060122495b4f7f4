#!/bin/sh
# Says so on every SIGHUP; the test looks for the line in the container's log.
trap 'echo "listener: got SIGHUP"' HUP
echo "listener: waiting for signals"
while :; do
    sleep 1 &
    wait $!
done
