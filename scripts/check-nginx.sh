#!/usr/bin/env bash
# Checks deploy/nginx/jifen.conf with `nginx -t` on the machine's nginx (Debian:
# apt-get install -y nginx): the snippet goes inside a minimal http block, with
# a throw-away self-signed certificate in place of the real one. Touches no
# system file and starts no server. Exit status: nginx's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
nginx_bin="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
if [ ! -x "$nginx_bin" ]; then
  echo "check-nginx: nginx not found (apt-get install -y nginx)" >&2
  exit 127
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=shop.example.com" \
  -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null

sed -e "s#/etc/letsencrypt/live/shop.example.com/#$work/#g" \
  "$root/deploy/nginx/jifen.conf" > "$work/jifen.conf"

cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/logs/error.log;
events {}
http {
    access_log $work/logs/access.log;
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    include $work/jifen.conf;
}
CONF

"$nginx_bin" -t -q -p "$work" -e "$work/logs/error.log" -c "$work/nginx.conf"
echo "check-nginx: deploy/nginx/jifen.conf passes nginx -t ($("$nginx_bin" -v 2>&1))"
