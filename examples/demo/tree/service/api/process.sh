#!/bin/sh
# A tiny HTTP server; lightbase knows it is ready when the port accepts connections.
cd "${CONTAINER_STATE_DIR}/api" || exit 1
exec python3 -m http.server --bind 127.0.0.1 "$DEMO_API_PORT"
