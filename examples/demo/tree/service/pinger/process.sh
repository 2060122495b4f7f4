#!/bin/sh
# Depends on api: it only starts once the api accepts connections.
exec python3 - <<'PY'
import os, time, urllib.request

url = f"http://127.0.0.1:{os.environ['DEMO_API_PORT']}/index.txt"
while True:
    with urllib.request.urlopen(url, timeout=2) as reply:
        print("pinger: api says:", reply.read().decode().strip(), flush=True)
    time.sleep(float(os.environ["DEMO_PING_INTERVAL"]))
PY
