#!/usr/bin/env bash
# Whole-process comparison: `vs media remux` against `ffmpeg -c copy`, same input, same run, interleaved.
#   tests/VideoStreams.Benchmarks/remux-vs-ffmpeg.sh            # 5 repetitions, 10-minute input
#   REPS=7 MINUTES=10 tests/VideoStreams.Benchmarks/remux-vs-ffmpeg.sh
#   VS=/path/to/other/vs SKIP_BUILD=1 tests/VideoStreams.Benchmarks/remux-vs-ffmpeg.sh   # another build of vs
# vs is the native (AOT) publish, as shipped: dotnet publish src/VideoStreams.Cli -c Release -r linux-x64 -o artifacts/vs
# (VS=src/VideoStreams.Cli/bin/Release/net10.0/vs times the JIT build instead).
# The input (720p30 H.264 High with B-frames, ~4 Mbps, AAC 48 kHz stereo; ~300 MB for 10 minutes) is generated once
# and cached in $VS_BENCH_CACHE (default: artifacts/bench at the repository root, which git ignores). Generating it
# is a one-time cost of about as long as the media lasts on 2 cores (x264 veryfast).
# Every timed run reads the input from the page cache (it is read once before timing). Reported: the median of wall
# time (s) and of peak RSS (MB) from /usr/bin/time; then every output is checked with ffprobe (no errors, and as many
# packets per stream as the input). Exits non-zero if a check fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
reps=${REPS:-5}
minutes=${MINUTES:-10}
cache=${VS_BENCH_CACHE:-$root/artifacts/bench}
vs=${VS:-$root/artifacts/vs/vs}
mkdir -p "$cache"

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

# The same encode as the in-process benchmark's input (BenchInput.cs), only longer.
input=$cache/remux-${minutes}min-720p30-high-4M-aac.mkv
if [ ! -s "$input" ]; then
  secs=$((minutes * 60))
  echo "generating $input (one time; x264 veryfast runs at about real time on 2 cores)..." >&2
  start=$(date +%s)
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=$secs" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$secs" \
    -c:v libx264 -profile:v high -preset veryfast -pix_fmt yuv420p \
    -g 60 -keyint_min 60 -sc_threshold 0 -b:v 4M -maxrate 4M -bufsize 8M \
    -c:a aac -b:a 128k -ac 2 \
    -cluster_time_limit 60000 -cluster_size_limit 50000000 -f matroska "$input.partial"
  mv "$input.partial" "$input"
  echo "generated in $(($(date +%s) - start)) s" >&2
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet publish "$root/src/VideoStreams.Cli" -c Release -r linux-x64 -o "$root/artifacts/vs" -v quiet -nologo >/dev/null
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ { print $2 }') GiB;" \
  ".NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'), $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

out=$cache/out
rm -rf "$out"
mkdir -p "$out"
cat "$input" >/dev/null # into the page cache

# run NAME OUTPUT-TO-CLEAR COMMAND...: one timed run, appending "wall rss" to $out/NAME.times
run() {
  local name=$1 target=$2
  shift 2
  rm -rf "$target"
  sync
  /usr/bin/time -f "%e %M" -o "$out/$name.last" "$@" >/dev/null
  cat "$out/$name.last" >>"$out/$name.times"
}

for ((i = 1; i <= reps; i++)); do
  run vs-startup "$out/none" "$vs" --help
  run vs-mp4 "$out/vs.mp4" "$vs" media remux "$input" "$out/vs.mp4"
  run ffmpeg-mp4 "$out/ffmpeg.mp4" ffmpeg -y -v error -i "$input" -c copy -movflags +faststart "$out/ffmpeg.mp4"
  run vs-hls "$out/vs-hls" "$vs" media remux "$input" --hls "$out/vs-hls"
  mkdir -p "$out/ffmpeg-hls"
  run ffmpeg-hls "$out/ffmpeg-hls/x" ffmpeg -y -v error -i "$input" -c copy -f hls -hls_segment_type fmp4 -hls_time 2 \
    -hls_playlist_type vod -hls_fmp4_init_filename init.mp4 -hls_segment_filename "$out/ffmpeg-hls/segment-%05d.m4s" \
    "$out/ffmpeg-hls/index.m3u8"
done

# median COLUMN FILE
median() { cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# packets FILE: "video=N audio=M" as ffprobe demuxes them; fails on any ffprobe error output. (A playlist lists its
# streams twice, under its program and at top level.)
packets() {
  local errors
  errors=$(ffprobe -v error "$1" 2>&1 >/dev/null || true)
  if [ -n "$errors" ]; then
    echo "ffprobe reports errors for $1: $errors" >&2
    return 1
  fi
  ffprobe -v error -count_packets -show_entries stream=codec_type,nb_read_packets -of csv=p=0 "$1" |
    awk -F, 'NF && !seen[$0]++ { printf "%s%s=%s", (NR > 1 ? " " : ""), $1, $2 } END { print "" }'
}

size_mb=$(awk -v b="$(stat -c %s "$input")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "input: $(basename "$input"), $size_mb MB; $reps runs each, median; page cache warm"
echo "vs: $vs"
echo
echo "| job | tool | wall s | MB/s of input | peak RSS MB |"
echo "| --- | --- | ---: | ---: | ---: |"
for name in vs-mp4 ffmpeg-mp4 vs-hls ffmpeg-hls; do
  wall=$(median 1 "$out/$name.times")
  rss=$(median 2 "$out/$name.times")
  awk -v n="$name" -v w="$wall" -v r="$rss" -v mb="$size_mb" 'BEGIN {
    split(n, p, "-"); printf "| %s | %s | %.2f | %.0f | %.0f |\n", (p[2] == "mp4" ? "MKV → MP4 (faststart)" : "MKV → fMP4 HLS"), p[1], w, mb / w, r / 1024 }'
done
echo "| (reference) process start: vs --help | vs | $(median 1 "$out/vs-startup.times") | | $(median 2 "$out/vs-startup.times" | awk '{ printf "%.0f", $1 / 1024 }') |"
echo
for job in mp4 hls; do
  awk -v j="$job" -v a="$(median 1 "$out/ffmpeg-$job.times")" -v b="$(median 1 "$out/vs-$job.times")" \
    'BEGIN { printf "%s: speed-up of vs over ffmpeg (ffmpeg wall / vs wall) = %.2f×\n", j, a / b }'
done
echo
echo "all runs (wall s, peak RSS KB):"
for name in vs-mp4 ffmpeg-mp4 vs-hls ffmpeg-hls vs-startup; do
  echo "  $name: $(tr '\n' ';' <"$out/$name.times" | sed 's/;/; /g')"
done

echo
status=0
in_packets=$(packets "$input")
for f in "$out/vs.mp4" "$out/ffmpeg.mp4" "$out/vs-hls/index.m3u8" "$out/ffmpeg-hls/index.m3u8"; do
  got=$(packets "$f") || { status=1; continue; }
  mark=ok
  [ "$got" = "$in_packets" ] || { mark="PACKET COUNT DIFFERS"; status=1; }
  echo "ffprobe ${f#"$out/"}: $got ($mark; input: $in_packets)"
done
exit $status
