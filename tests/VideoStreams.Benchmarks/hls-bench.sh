#!/usr/bin/env bash
# HLS segment requests/s for 200 concurrent viewers of one stream (issue 8), our server vs nginx serving the same
# segments as static files, side by side in one run:
#   tests/VideoStreams.Benchmarks/hls-bench.sh                                  # 200 viewers, 2 rounds of 15 s each
#   VS_HLS_VIEWERS=50 VS_HLS_SECONDS=5 VS_HLS_ROUNDS=1 tests/VideoStreams.Benchmarks/hls-bench.sh   # a quick check
# Our server runs in its own process (the Release build of src/VideoStreams.Server, a fresh data folder), gets 30 s of
# real 720p H.264 at 2 Mbps (2 s fragments, ffmpeg, cached in artifacts/bench) by PutMedia, and serves an ON_DEMAND
# session. Its media playlist, init and segments are then written once, byte for byte, into a static folder that
# nginx (Debian's, started here by this script on a free port with its own temporary config; no root needed) serves.
# Each viewer holds one keep-alive connection and loops: GET the media playlist, GET each segment to its end. The
# same generator (the benchmark process) loads both targets, alternating nginx/ours per round. Extra server settings:
#   VS_HLS_SERVER_ENV="VideoStreams__Something=1 ..." (passed as environment variables to the server process).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v nginx >/dev/null || { echo "nginx is not installed (Debian: apt-get install nginx-light)" >&2; exit 2; }

dotnet build "$root/src/VideoStreams.Server" -c Release --nologo -v q >/dev/null
dotnet build "$here" -c Release --nologo -v q >/dev/null
bench=("dotnet" "$here/bin/Release/net10.0/VideoStreams.Benchmarks.dll")

work=$(mktemp -d -t vs-hls-bench.XXXXXX)
chmod 755 "$work" # nginx's workers may run as another user when this runs as root
mkdir -p "$work/www" "$work/tmp"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill "$nginx_pid"
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("${bench[@]}" hls free-port)
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  types { application/vnd.apple.mpegurl m3u8; video/mp4 mp4 m4s; }
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    add_header Access-Control-Allow-Origin *;
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" -g "daemon off;" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/error.log" >&2; exit 1; }
  sleep 0.1
done

echo "// machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2; exit}')), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
server_env=()
for pair in ${VS_HLS_SERVER_ENV:-}; do server_env+=(--server-env "$pair"); done
"${bench[@]}" hls --static-dir "$work/www" --static-url "http://127.0.0.1:$port/" \
  --viewers "${VS_HLS_VIEWERS:-200}" --seconds "${VS_HLS_SECONDS:-15}" --warmup "${VS_HLS_WARMUP:-5}" \
  --rounds "${VS_HLS_ROUNDS:-2}" "${server_env[@]}"
