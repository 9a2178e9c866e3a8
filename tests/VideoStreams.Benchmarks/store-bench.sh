#!/usr/bin/env bash
# The fragment store on the real disk, side by side with the disk's own limit, in one run:
#   tests/VideoStreams.Benchmarks/store-bench.sh                 # every scenario
#   tests/VideoStreams.Benchmarks/store-bench.sh dd throughput   # only these
# Scenarios: dd (the disk: dd bs=1M count=2048 with oflag=direct, then with conv=fsync), throughput (one stream,
# 1 MB fragments), streams (1,000 streams × 2 Mbps), layout (fdatasync of one shared file vs N files), index
# (10 M indexed fragments), recovery (open after SIGKILL with 1 M fragments indexed).
# Data goes to $VS_BENCH_CACHE/store (default artifacts/bench/store: the repository's disk); the index and
# recovery data folders are built once and cached there (a few minutes each the first time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${VS_BENCH_CACHE:-$root/artifacts/bench}
data=$cache/store
mkdir -p "$data"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(dd throughput streams layout index recovery)

dotnet build "$here" -c Release --nologo -v q >/dev/null
bench=("dotnet" "$here/bin/Release/net10.0/VideoStreams.Benchmarks.dll")

echo "// machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; disk: $(df -h "$data" | awk 'NR==2 {print $1 " " $2}'); $(uname -r)"
for s in "${scenarios[@]}"; do
  echo
  echo "## $s"
  case $s in
    dd)
      sync
      for flag in oflag=direct conv=fsync; do
        for rep in 1 2 3; do
          printf '| dd bs=1M count=2048 %s (run %d) | ' "$flag" "$rep"
          dd if=/dev/zero of="$data/dd.bin" bs=1M count=2048 "$flag" 2>&1 | tail -1 | awk -F', ' '{print $NF " |"}'
          rm -f "$data/dd.bin"
          sync
        done
      done
      ;;
    *)
      "${bench[@]}" store "$s" --data "$data"
      ;;
  esac
done
