#!/usr/bin/env bash
# The device agent's cost (issue 7), side by side in one run:
#   (a) the server + vs-agent with one 1280x720@30 2 Mbps synthetic device: vs-agent's CPU and RSS, its ffmpeg
#       encoder child included (the server's shown apart);
#   (b) the ffmpeg CLI doing the same encode to a file (testsrc2, libx264 veryfast zerolatency 2 Mbps, GOP 60);
#   (c) passthrough: vs-agent with a file-loop device of a 4 Mbps 720p30 file (made here with ffmpeg), no re-encode.
# Targets: (a) within 15 % of (b); (c) under 2 % of one core.
#   tests/VideoStreams.Benchmarks/agent-bench.sh            # all three, about 4 minutes
#   VS_AGENT_BENCH_SECONDS=30 tests/VideoStreams.Benchmarks/agent-bench.sh a b
# CPU is utime+stime from /proc/PID/stat of the process and its descendants, over a window of N seconds (default
# 60) that starts after a warm-up (the agent: 10 s after its "streaming" line; the ffmpeg CLI: 2 s after its start),
# as % of one core. RSS is the summed VmRSS of the tree, sampled once a second (mean and peak). The bitrate is what
# the server stored (ListFragments sizes over their durations) or the file's size over its duration.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=Agent/proc-sample.sh
source "$here/Agent/proc-sample.sh"
seconds=${VS_AGENT_BENCH_SECONDS:-60}
warmup=10
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(a b c)
work=$(mktemp -d /tmp/vs-agent-bench.XXXXXX)
server_pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build "$root/src/VideoStreams.Server" -c Release --nologo -v q >/dev/null
dotnet build "$root/src/VideoStreams.Agent" -c Release --nologo -v q >/dev/null
server_dll=$root/src/VideoStreams.Server/bin/Release/net10.0/VideoStreams.Server.dll
agent_dll=$root/src/VideoStreams.Agent/bin/Release/net10.0/vs-agent.dll

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_server() {
  local port
  port=$(free_port)
  server_url=http://127.0.0.1:$port
  dotnet "$server_dll" --urls "$server_url" --data "$work/data" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$server_url/health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1
}

# write_device NAME SOURCE_JSON → $work/NAME.json
write_device() {
  cat >"$work/$1.json" <<EOF
{
  "name": "$1",
  "stream": { "name": "$1", "create": true, "retentionHours": 24, "mediaType": "video/h264" },
  "server": { "url": "$server_url", "credentials": null, "startupTimeoutSeconds": 30 },
  "source": $2,
  "encoder": { "bitrateKbps": 2000, "profile": "main", "preset": "veryfast", "gopFrames": null },
  "fragmentDurationMs": 2000,
  "spool": { "path": "spool/$1", "maxBytes": 1073741824, "maxAgeHours": 24, "sync": "everyFragment" },
  "upload": { "stallTimeoutSeconds": 10 },
  "count": 1
}
EOF
}

# run_agent NAME → samples vs-agent's tree for $seconds after the warm-up; sets the SAMPLE_* results, BITRATE_KBPS
# and SERVER_CPU_PCT.
run_agent() {
  local name=$1 log=$work/$1.log from_ms to_ms server_before server_after
  (cd "$work" && exec dotnet "$agent_dll" --metrics-urls "http://127.0.0.1:$(free_port)" "$work/$name.json") >"$log" 2>&1 &
  agent_pid=$!
  for _ in $(seq 1 600); do
    grep -q "Device $name: streaming" "$log" && break
    if ! kill -0 "$agent_pid" 2>/dev/null; then echo "vs-agent exited:" >&2; cat "$log" >&2; exit 1; fi
    sleep 0.1
  done
  grep -q "Device $name: streaming" "$log" || { echo "vs-agent did not start streaming:" >&2; cat "$log" >&2; exit 1; }
  sleep "$warmup"
  from_ms=$(date +%s%3N)
  server_before=$(proc_ticks "$server_pid")
  sample_tree "$agent_pid" "$seconds"
  server_after=$(proc_ticks "$server_pid")
  to_ms=$(date +%s%3N)
  SERVER_CPU_PCT=$(awk -v t="$((server_after - server_before))" -v hz="$clk_tck" -v w="$SAMPLE_WALL_S" 'BEGIN {printf "%.1f", 100 * t / hz / w}')
  kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=""
  # What the server stored from the window: bytes over duration of the fragments that started in it.
  BITRATE_KBPS=$(curl -sf -X POST "$server_url/listFragments" -H 'content-type: application/json' \
      -d "{\"StreamName\":\"$name\",\"MaxResults\":1000,\"FragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":$((from_ms / 1000)),\"EndTimestamp\":$((to_ms / 1000))}}}" \
    | jq '[.Fragments[]] | if length == 0 then 0 else ((map(.FragmentSizeInBytes) | add) * 8 / (map(.FragmentLengthInMilliseconds) | add)) | floor end')
  CHILDREN=$(echo "$SAMPLE_PIDS" | wc -w)
}

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }

echo "// machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2; exit}')), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -r); $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
echo "// $(date -u '+%Y-%m-%d %H:%M UTC'); window ${seconds} s; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${scenarios[@]}"; do
  case $s in
    a)
      [ -n "$server_pid" ] || start_server
      write_device bench-synthetic '{ "type": "synthetic", "width": 1280, "height": 720, "frameRate": 30 }'
      run_agent bench-synthetic
      row "(a) vs-agent, synthetic 720p30 → libx264 2 Mbps → server" "$SAMPLE_CPU_PCT" "$SAMPLE_RSS_MB_AVG (peak $SAMPLE_RSS_MB_MAX)" "$BITRATE_KBPS kbps stored" "$CHILDREN process(es); server $SERVER_CPU_PCT % apart"
      a_cpu=$SAMPLE_CPU_PCT
      ;;
    b)
      (cd "$work" && exec ffmpeg -nostdin -v error -y -re -f lavfi -i testsrc2=size=1280x720:rate=30 -c:v libx264 -preset veryfast \
          -tune zerolatency -b:v 2M -maxrate 2M -bufsize 4M -g 60 -t $((seconds + 4)) -f matroska out.mkv) &
      ff_pid=$!
      sleep 2
      sample_tree "$ff_pid" "$seconds"
      wait "$ff_pid"
      kbps=$(ffprobe -v error -show_entries format=size,duration -of json "$work/out.mkv" | jq '.format | (.size | tonumber) * 8 / (.duration | tonumber) / 1000 | floor')
      row "(b) ffmpeg CLI, testsrc2 720p30 → libx264 2 Mbps → file" "$SAMPLE_CPU_PCT" "$SAMPLE_RSS_MB_AVG (peak $SAMPLE_RSS_MB_MAX)" "$kbps kbps in the file" "1 process"
      b_cpu=$SAMPLE_CPU_PCT
      rm -f "$work/out.mkv"
      ;;
    c)
      [ -n "$server_pid" ] || start_server
      ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -t 60 -c:v libx264 -preset veryfast -pix_fmt yuv420p \
        -b:v 4M -maxrate 4M -bufsize 8M -g 60 -keyint_min 60 -sc_threshold 0 "$work/4mbps-720p30.mkv"
      write_device bench-passthrough "{ \"type\": \"file\", \"path\": \"$work/4mbps-720p30.mkv\", \"loop\": true, \"mode\": \"passthrough\" }"
      run_agent bench-passthrough
      row "(c) vs-agent, file loop 720p30 4 Mbps, passthrough → server" "$SAMPLE_CPU_PCT" "$SAMPLE_RSS_MB_AVG (peak $SAMPLE_RSS_MB_MAX)" "$BITRATE_KBPS kbps stored" "$CHILDREN process(es); server $SERVER_CPU_PCT % apart"
      ;;
    *)
      echo "unknown scenario $s (a, b, c)" >&2
      exit 2
      ;;
  esac
done

echo
echo "| run | CPU % of one core | RSS MB mean (peak) | bitrate | notes |"
echo "|---|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
if [ -n "${a_cpu:-}" ] && [ -n "${b_cpu:-}" ]; then
  echo
  awk -v a="$a_cpu" -v b="$b_cpu" 'BEGIN {printf "(a) / (b) = %.2f (target: at most 1.15)\n", (b > 0 ? a / b : 0)}'
fi
