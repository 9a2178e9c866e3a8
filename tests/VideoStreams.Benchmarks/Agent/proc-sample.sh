# Sourced by agent-bench.sh: CPU and RSS of a process and all its descendants, from /proc, once a second.
# CPU is utime+stime (fields 14 and 15 of /proc/PID/stat, in clock ticks): for each process seen, the ticks it used
# inside the window (a child born during the window counts from zero; one that exits keeps its last reading).
# RSS is the sum of VmRSS over the tree at each sample.

clk_tck=$(getconf CLK_TCK)

# The pid and every descendant of it (through /proc/PID/task/*/children).
tree_pids() {
  local pid=$1 child
  [ -d "/proc/$pid" ] || return 0
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    tree_pids "$child"
  done
}

# utime+stime of one process in ticks; empty if it is gone. The command name may hold spaces, so fields are
# counted after the last ')'.
proc_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  set -- $stat
  echo $(( ${12} + ${13} ))
}

proc_rss_kb() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
}

# sample_tree PID SECONDS  — samples until SECONDS have passed (0: until the process exits).
# Sets: SAMPLE_CPU_PCT (of one core), SAMPLE_RSS_MB_AVG, SAMPLE_RSS_MB_MAX, SAMPLE_WALL_S, SAMPLE_PIDS.
sample_tree() {
  local root=$1 seconds=$2 pid t rss total_rss samples=0 rss_sum=0 rss_max=0
  declare -A first last
  for pid in $(tree_pids "$root"); do
    t=$(proc_ticks "$pid"); [ -n "$t" ] && first[$pid]=$t && last[$pid]=$t
  done
  local start end now
  start=$(date +%s.%N)
  while :; do
    sleep 1
    now=$(date +%s.%N)
    [ -d "/proc/$root" ] || break
    total_rss=0
    for pid in $(tree_pids "$root"); do
      t=$(proc_ticks "$pid")
      [ -n "$t" ] || continue
      [ -n "${first[$pid]:-}" ] || first[$pid]=0
      last[$pid]=$t
      rss=$(proc_rss_kb "$pid"); total_rss=$(( total_rss + ${rss:-0} ))
    done
    samples=$(( samples + 1 )); rss_sum=$(( rss_sum + total_rss ))
    [ "$total_rss" -gt "$rss_max" ] && rss_max=$total_rss
    if [ "$seconds" -gt 0 ] && awk -v a="$now" -v b="$start" -v s="$seconds" 'BEGIN {exit !(a - b >= s)}'; then
      break
    fi
  done
  end=$(date +%s.%N)
  local ticks=0
  for pid in "${!last[@]}"; do ticks=$(( ticks + ${last[$pid]} - ${first[$pid]} )); done
  SAMPLE_WALL_S=$(awk -v a="$end" -v b="$start" 'BEGIN {printf "%.1f", a - b}')
  SAMPLE_CPU_PCT=$(awk -v t="$ticks" -v hz="$clk_tck" -v w="$SAMPLE_WALL_S" 'BEGIN {printf "%.1f", 100 * t / hz / w}')
  SAMPLE_RSS_MB_AVG=$(awk -v s="$rss_sum" -v n="$samples" 'BEGIN {printf "%.0f", n ? s / n / 1024 : 0}')
  SAMPLE_RSS_MB_MAX=$(awk -v m="$rss_max" 'BEGIN {printf "%.0f", m / 1024}')
  SAMPLE_PIDS="${!last[*]}"
}
