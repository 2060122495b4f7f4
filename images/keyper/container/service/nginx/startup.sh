#!/bin/sh
# nginx: its account, the TLS certificate (made by slapd's startup when none is provided) and
# its configuration, written to the run dir at every start from validated settings.
set -eu
# shellcheck disable=SC1091 # installed by the image (images/keyper/lib/common.sh)
. /usr/local/lib/keyper/common.sh

ensure_account nginx NGINX_UID NGINX_GID
require_port NGINX_HTTP_PORT
require_port NGINX_HTTPS_PORT
ensure_tls

run=$CONTAINER_RUN_DIR/nginx
case "$run" in
    *[!A-Za-z0-9._/-]*) die "CONTAINER_RUN_DIR: nginx needs a path of plain characters, got '$CONTAINER_RUN_DIR'" ;;
esac
mkdir -p "$run/tmp"
chmod 0755 "$run"
for dir in body proxy fastcgi uwsgi scgi; do
    mkdir -p "$run/tmp/$dir"
done
chown -R nginx:nginx "$run/tmp"
chmod 0700 "$run/tmp"

dh_param=$LDAP_TLS_DIR/$LDAP_TLS_DH_PARAM_FILENAME
dh_line=
[ -e "$dh_param" ] && dh_line="ssl_dhparam $dh_param;"

# Every value below was checked above to be a number or a plain path.
printf '%s\n' \
    "user nginx nginx;" \
    "worker_processes auto;" \
    "pid $run/nginx.pid;" \
    "error_log stderr warn;" \
    "daemon off;" \
    "events { worker_connections 1024; }" \
    "http {" \
    "    include /etc/nginx/mime.types;" \
    "    default_type application/octet-stream;" \
    "    server_tokens off;" \
    "    access_log /dev/stdout;" \
    "    client_body_temp_path $run/tmp/body;" \
    "    proxy_temp_path $run/tmp/proxy;" \
    "    fastcgi_temp_path $run/tmp/fastcgi;" \
    "    uwsgi_temp_path $run/tmp/uwsgi;" \
    "    scgi_temp_path $run/tmp/scgi;" \
    "    server {" \
    "        listen $NGINX_HTTP_PORT default_server;" \
    "        return 301 https://\$host\$request_uri;" \
    "    }" \
    "    server {" \
    "        listen $NGINX_HTTPS_PORT ssl default_server;" \
    "        ssl_certificate $LDAP_TLS_DIR/$LDAP_TLS_CRT_FILENAME;" \
    "        ssl_certificate_key $LDAP_TLS_DIR/$LDAP_TLS_KEY_FILENAME;" \
    "        ssl_protocols TLSv1.2 TLSv1.3;" \
    "        $dh_line" \
    "        add_header Strict-Transport-Security \"max-age=31536000\" always;" \
    "        location /api/ {" \
    "            proxy_pass http://127.0.0.1:8000;" \
    "            proxy_set_header Host \$host;" \
    "            proxy_set_header X-Real-IP \$remote_addr;" \
    "            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;" \
    "            proxy_set_header X-Forwarded-Proto \$scheme;" \
    "        }" \
    "        location /scripts/ {" \
    "            alias /usr/share/keyper/scripts/;" \
    "            autoindex on;" \
    "            default_type text/plain;" \
    "        }" \
    "        location / { return 404; }" \
    "    }" \
    "}" >"$run/nginx.conf.new"
mv "$run/nginx.conf.new" "$run/nginx.conf"
nginx -t -q -c "$run/nginx.conf" || die "nginx rejects its configuration $run/nginx.conf"
