#!/usr/bin/env bash
# Glass-to-glass latency in headless Chromium with hls.js (issue 9), side by side in one run, then the 50-viewer check:
#   tests/VideoStreams.Benchmarks/latency-bench.sh                     # 60 s windows, 15 s warm-up, 50 viewers
#   VS_LATENCY_SECONDS=20 VS_LATENCY_VIEWERS=10 tests/VideoStreams.Benchmarks/latency-bench.sh   # a quick check
# Self-contained: builds the server, the agent and the benchmark (Release), installs hls.js with `npm ci` in
# tests/VideoStreams.EndToEnd.Tests/web when missing, and the benchmark process starts and stops everything else in a
# temporary folder it removes: the server (its own process, a fresh data folder, free port), one vs-agent with three
# synthetic 640x360@30 cameras (1 s and 2 s fragments for standard HLS, 1 s fragments for LL-HLS, a GOP per fragment),
# ffmpeg's HLS muxer served as static files by Kestrel (VS_LATENCY_FFMPEG=no to leave it out), and Debian's Chromium
# (/usr/bin/chromium, driven by Playwright; no browser is downloaded). Prints markdown tables. Other settings:
#   VS_LATENCY_SIZE (picture size of every source, 640x360; 320x240 makes the run lighter), VS_LATENCY_WARMUP (s), VS_LATENCY_PART_MS (server part target, 200), VS_LATENCY_FRAMES_AS_CAPTURED (auto|yes|no),
#   VS_LATENCY_PRELOAD_HINTS (yes|no: whether the simulated viewers request the preload-hinted part),
#   VS_LATENCY_SCHEDULE (sequential: one viewer at a time on a fresh page, the cameras running throughout; together:
#   every mode's page at once, which on 2 cores measures five decoders' contention as much as latency),
#   VS_LATENCY_CROWD (idle: the 49 simulated viewers in their own process under SCHED_IDLE, so their own work takes
#   only CPU nothing else wants, as viewers on other machines would; nice: that process at nice 19, which yields CPU
#   share but not wake-ups; inline: in the benchmark process at normal priority),
#   VS_LATENCY_SERVER_ENV="VideoStreams__Something=1 ..." (extra server settings).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ -x /usr/bin/chromium ] || { echo "Debian's chromium is needed at /usr/bin/chromium (bash .ci/setup installs it)" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "ffmpeg is needed (Debian: apt-get install ffmpeg)" >&2; exit 2; }

web="$root/tests/VideoStreams.EndToEnd.Tests/web"
if [ ! -f "$web/node_modules/hls.js/dist/hls.min.js" ] || [ "$web/package-lock.json" -nt "$web/node_modules/hls.js/dist/hls.min.js" ]; then
  (cd "$web" && NO_UPDATE_NOTIFIER=1 npm ci --no-audit --no-fund >/dev/null)
fi

dotnet build "$root/src/VideoStreams.Server" -c Release --nologo -v q >/dev/null
dotnet build "$root/src/VideoStreams.Agent" -c Release --nologo -v q >/dev/null
dotnet build "$here" -c Release --nologo -v q >/dev/null

echo "// machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2; exit}')), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -r); $(chromium --version 2>/dev/null | head -1); hls.js $(node -p "require('$web/node_modules/hls.js/package.json').version")"
echo "// uptime: $(uptime)"
server_env=()
for pair in ${VS_LATENCY_SERVER_ENV:-}; do server_env+=(--server-env "$pair"); done
dotnet "$here/bin/Release/net10.0/VideoStreams.Benchmarks.dll" latency \
  --seconds "${VS_LATENCY_SECONDS:-60}" --warmup "${VS_LATENCY_WARMUP:-15}" --viewers "${VS_LATENCY_VIEWERS:-50}" \
  --ffmpeg-hls "${VS_LATENCY_FFMPEG:-yes}" --part-target-ms "${VS_LATENCY_PART_MS:-200}" \
  --frames-as-captured "${VS_LATENCY_FRAMES_AS_CAPTURED:-auto}" --preload-hints "${VS_LATENCY_PRELOAD_HINTS:-no}" --schedule "${VS_LATENCY_SCHEDULE:-sequential}" --crowd "${VS_LATENCY_CROWD:-idle}" --size "${VS_LATENCY_SIZE:-640x360}" \
  "${server_env[@]}"
echo "// uptime: $(uptime)"
