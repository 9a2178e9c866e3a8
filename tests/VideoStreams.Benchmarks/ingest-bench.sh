#!/usr/bin/env bash
# PutMedia and GetMedia over real HTTP on loopback (issue 6), side by side with the limits, in one run:
#   tests/VideoStreams.Benchmarks/ingest-bench.sh                      # everything (about 12 minutes)
#   tests/VideoStreams.Benchmarks/ingest-bench.sh one-stream readers   # only these
#   VS_INGEST_STREAMS="100 500" tests/VideoStreams.Benchmarks/ingest-bench.sh sweep
# The product server runs in its own process (the Release build of src/VideoStreams.Server, a fresh data folder in
# $VS_BENCH_CACHE/ingest, default artifacts/bench/ingest: the disk store-bench.sh measures); the load generator is
# the benchmark process (raw sockets, one connection per stream).
# Scenarios:
#   one-stream  (a) one stream as fast as it goes to PERSISTED, 3 reps, each next to dd oflag=direct on the same disk
#               and curl uploading the same 2 GiB body to a discard endpoint (a minimal Kestrel in the benchmark
#               process), then curl uploading it to /putMedia. The body is built once and cached in artifacts/bench.
#   sweep       (b, d) N paced 2 Mbps cameras with 1 s fragments, N in $VS_INGEST_STREAMS (default 100 250 500 1000),
#               30 s measured after 15 s (the server JITs for the first ~10 s); before each, the store alone under the same N (store streams, 20 s), the
#               figure the ingest latency is compared with. Server RSS (d) is the N=100 row.
#   readers     (c) 10 cameras, each with a GetMedia (NOW) reader: PERSISTED ack → the reader has the cluster.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${VS_BENCH_CACHE:-$root/artifacts/bench}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(one-stream sweep readers)

dotnet build "$root/src/VideoStreams.Server" -c Release --nologo -v q >/dev/null
dotnet build "$here" -c Release --nologo -v q >/dev/null
bench=("dotnet" "$here/bin/Release/net10.0/VideoStreams.Benchmarks.dll")
# The load generator's thread pool does not spin waiting for work (its receive loops wake it ~3 times a second per
# stream, and spinning cost a third of its CPU); the server it starts runs with the runtime's defaults.
gen=("env" "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0" "${bench[@]}")
mkdir -p "$cache/ingest"

echo "// machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2; exit}')), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -r)"
echo "// disk: $(df -T "$cache/ingest" | awk 'NR==2 {print $1 " " $2 " " $3 " 1K-blocks"}'); $(date -u '+%Y-%m-%d %H:%M UTC')"
for s in "${scenarios[@]}"; do
  echo
  echo "## $s"
  case $s in
    one-stream)
      "${gen[@]}" ingest one-stream --data "$cache/ingest" --reps 3
      ;;
    sweep)
      for n in ${VS_INGEST_STREAMS:-100 250 500 1000}; do
        "${bench[@]}" store streams --data "$cache/store" --streams "$n" --seconds 20 | grep -E '^\| [0-9]+ \||^// (measured|GC)' | sed 's/^/store alone: /'
        "${gen[@]}" ingest streams --data "$cache/ingest" --streams "$n" --seconds 30 --warmup 15
      done
      ;;
    readers)
      "${gen[@]}" ingest streams --data "$cache/ingest" --streams 10 --readers 10 --seconds 30 --warmup 15
      ;;
    *)
      echo "unknown scenario $s (one-stream, sweep, readers)" >&2
      exit 2
      ;;
  esac
done
