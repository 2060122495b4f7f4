#!/bin/sh
# Crashes after a few seconds to show a restart (see `lightbase sv status`).
echo "flaky: started (pid $$), will crash in 5 s"
sleep 5
echo "flaky: crashing with code 3"
exit 3
