#!/usr/bin/env bash
# The fragment store on the real disk, side by side with the disk's own limit, in one run:
#   tests/VideoStreams.Benchmarks/store-bench.sh                 # every scenario
#   tests/VideoStreams.Benchmarks/store-bench.sh dd throughput   # only these
# Scenarios: dd (the disk: dd bs=1M count=2048 with oflag=direct, then with conv=fsync), paired (dd oflag=direct,
# the store's one-stream throughput and dd conv=fsync back to back, 5 times: this disk's speed swings ±30 % from
# minute to minute, so the store is judged against the dd runs next to it), streams-paired (the disk's own latency
# floor under the 1,000-stream load, then the store under it, alternately), encryption (one-stream throughput with
# encryption at rest off and on, alternately), throughput (one stream, 1 MB fragments), streams (1,000 streams × 2 Mbps), layout (fdatasync of one shared file vs N files), index
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
[ ${#scenarios[@]} -gt 0 ] || scenarios=(dd paired streams-paired encryption layout index recovery)

dotnet build "$here" -c Release --nologo -v q >/dev/null
bench=("dotnet" "$here/bin/Release/net10.0/VideoStreams.Benchmarks.dll")

dd_mbs() { # prints dd's MB/s for bs=1M count=2048 with the given flag
  sync
  dd if=/dev/zero of="$data/dd.bin" bs=1M count=2048 "$1" 2>&1 | tail -1 | awk -F', ' '{split($NF, a, " "); print a[1]}'
  rm -f "$data/dd.bin"
  sync
}

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
    paired)
      echo "| pair | dd oflag=direct MB/s | store PERSISTED MB/s | dd conv=fsync MB/s | store / direct | store / fsync |"
      echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
      for pair in 1 2 3 4 5; do
        direct=$(dd_mbs oflag=direct)
        store=$("${bench[@]}" store throughput --data "$data" --reps 1 | awk -F'|' '/^\| 1 \|/ {gsub(/[* ]/, "", $3); print $3}')
        fsync=$(dd_mbs conv=fsync)
        awk -v p="$pair" -v d="$direct" -v s="$store" -v f="$fsync" \
          'BEGIN { printf "| %d | %s | **%s** | %s | %.0f %% | %.0f %% |\n", p, d, s, f, 100 * s / d, 100 * s / f }'
      done
      ;;
    encryption)
      # The cost of encryption at rest: one-stream throughput with it off and on, alternately, three times each.
      for pair in 1 2 3; do
        for e in 0 1; do
          "${bench[@]}" store throughput --data "$data" --reps 1 --encrypt $e | awk -F'|' -v e=$e '/^\| 1 \|/ {print "| encryption " (e ? "on " : "off") " |" $3 "|" $8 "|"}'
        done
      done
      ;;
    streams-paired)
      # The disk's latency floor (the same load, no store) and the store, alternately, three times each.
      for pair in 1 2 3; do
        "${bench[@]}" store floor --data "$data" --seconds 20 | grep '^| the disk'
        "${bench[@]}" store streams --data "$data" --seconds 20 | grep '^| 1000'
      done
      ;;
    *)
      "${bench[@]}" store "$s" --data "$data"
      ;;
  esac
done
