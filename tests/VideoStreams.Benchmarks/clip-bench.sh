#!/usr/bin/env bash
# An hour of 4 Mbps H.264 as an MP4 clip: our clip endpoint vs `ffmpeg -c copy -movflags +faststart` on the same
# fragments, side by side in one run (issue 8 target: ours >= 3x faster).
#   tests/VideoStreams.Benchmarks/clip-bench.sh                  # the hour, 3 rounds
#   tests/VideoStreams.Benchmarks/clip-bench.sh --minutes 2 --reps 1   # a quick check that it works
# Options: --minutes N (recording length, default 60), --reps N (rounds, default 3), --data DIR (work folder, default
# $VS_BENCH_CACHE/clips or artifacts/bench/clips). The 10 s source encode, the looped recording, the server data
# folder and ffmpeg's MKV input (fetched once with GetMediaForFragmentList) are cached in the work folder; delete it
# to start over. Needs ~4 GB free for the hour (recording, data folder, fetched MKV, both MP4s). Run it on a quiet
# machine: both sides are timed on the same cores, one after the other.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${VS_BENCH_CACHE:-$root/artifacts/bench}

dotnet build "$root/src/VideoStreams.Server" -c Release --nologo -v q >/dev/null
dotnet build "$here" -c Release --nologo -v q >/dev/null
args=("$@")
[[ " ${args[*]} " == *" --data "* ]] || args+=(--data "$cache/clips")
exec dotnet "$here/bin/Release/net10.0/VideoStreams.Benchmarks.dll" clip "${args[@]}"
