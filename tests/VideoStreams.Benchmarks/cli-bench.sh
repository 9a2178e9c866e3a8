#!/usr/bin/env bash
# `vs clip` of an hour of 4 Mbps H.264 streamed to disk: peak RSS of the vs process (issue 10 target: <= 100 MB).
#   tests/VideoStreams.Benchmarks/cli-bench.sh                 # the hour
#   tests/VideoStreams.Benchmarks/cli-bench.sh --minutes 2     # a quick check that it works
# The recording and the server data folder are clip-bench.sh's (its seeding, cached in $VS_BENCH_CACHE/clips or
# artifacts/bench/clips): when the data folder is missing, this runs clip-bench.sh once with --reps 1 to make it.
# Then it starts the Release server on that folder, runs the Release `vs clip` under /usr/bin/time -v, and prints
# the Maximum resident set size, the wall time, the size, and an ffprobe check of the file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${VS_BENCH_CACHE:-$root/artifacts/bench}
minutes=60
[[ "${1:-}" == "--minutes" ]] && minutes=$2
work=$cache/clips
data=$work/data-${minutes}min

if [[ ! -f $data/seeded.txt ]]; then
  "$here/clip-bench.sh" --minutes "$minutes" --reps 1 --data "$work"
fi

dotnet build "$root/src/VideoStreams.Server" -c Release --nologo -v q >/dev/null
dotnet build "$root/src/VideoStreams.Cli" -c Release --nologo -v q >/dev/null
read -r _fragments last_ms < "$data/seeded.txt" || true   # the marker has no final newline
first_ms=1750000000000   # ClipBench's ProducerBaseMs

port=$((20000 + RANDOM % 20000))
log=$(mktemp)
dotnet "$root/src/VideoStreams.Server/bin/Release/net10.0/VideoStreams.Server.dll" --urls "http://127.0.0.1:$port" --data "$data" \
  --Logging:LogLevel:Default Warning >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.2
done

out=$work/vs-clip.mp4
rm -f "$out" "$out.vsclip"
from=$(awk "BEGIN { printf \"%.3f\", $first_ms / 1000 }")
to=$(awk "BEGIN { printf \"%.3f\", ($last_ms + 1) / 1000 }")
echo "// machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GB; load: $(uptime | sed 's/.*load average: //')"
echo "// command: vs clip bench-clip --from $from --to $to -o $out"
stats=$(mktemp)
/usr/bin/time -v dotnet "$root/src/VideoStreams.Cli/bin/Release/net10.0/vs.dll" clip bench-clip --from "$from" --to "$to" -o "$out" \
  --server "http://127.0.0.1:$port" 2>"$stats"
rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$stats")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$stats")
bytes=$(stat -c %s "$out")
frames=$(ffprobe -v error -select_streams v:0 -show_entries stream=nb_frames -of csv=p=0 "$out")
echo "vs clip: ${minutes} min, $((bytes / 1000000)) MB in $wall; peak RSS $((rss_kb / 1024)) MB (target <= 100 MB); ffprobe: $frames video frames"
rm -f "$stats" "$out"
