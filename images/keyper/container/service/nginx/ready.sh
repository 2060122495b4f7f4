#!/bin/sh
# Ready when nginx accepts connections on its HTTPS port.
exec python3 -c '
import os, socket
socket.create_connection(("127.0.0.1", int(os.environ["NGINX_HTTPS_PORT"])), timeout=2).close()
'
