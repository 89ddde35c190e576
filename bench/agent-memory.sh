#!/usr/bin/env bash
# Resident memory of `vigil agent` beside one instance (issue 6 target: < 30 MB), in a release
# build, after it has served its endpoints for a while. Baseline in the same run: the peak resident
# set of the same binary running `vigil --help` (the floor the runtime and shared libraries
# impose); mariadbd's and the supervisor's for scale. Also prints the agent's peak (VmHWM, reached
# while starting), its proportional (Pss) and private memory, its threads, and where its resident
# set lies by mapped file (/proc/PID/smaps), so that a change can be traced to what moved.
# Usage: bench/agent-memory.sh [seconds-of-scraping]   (default 20)
# VIGIL_BENCH_SAMPLE_EVERY=60 (seconds) also samples VmRSS and its anonymous part (RssAnon: heap,
# stacks) at that interval while scraping and prints them with the anonymous growth per minute
# after the first 3 minutes (a leak or a filling cache shows there; file pages mapped back as
# code first runs show in the rest of VmRSS).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_SCRAPE=${1:-20}
swift build -c release --product vigil >/dev/null
VIGIL=.build/release/vigil
TMP=$(mktemp -d /tmp/vigil-agent-mem-XXXXXX)
DIR=$TMP/group
BASE=${VIGIL_BENCH_PORT_BASE:-25300}
trap '"$VIGIL" local destroy --yes --dir "$DIR" >/dev/null 2>&1 || true; rm -f "$TMP/agent.smaps"; rmdir "$TMP" 2>/dev/null || true' EXIT
"$VIGIL" local up --dir "$DIR" --port-base "$BASE" --instances 1 --mode async >/dev/null
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
anon_kb() { awk '/^RssAnon/ {print $2}' "/proc/$1/status"; }
agent=$(cat "$DIR/instances/db0/agent.pid")
SAMPLE_EVERY=${VIGIL_BENCH_SAMPLE_EVERY:-0}
samples=()
scrape_failures=0
start=$SECONDS
next_sample=$SECONDS
end=$((SECONDS + SECONDS_TO_SCRAPE))
while ((SECONDS < end)); do
  if ((SAMPLE_EVERY > 0 && SECONDS >= next_sample)); then
    samples+=("$((SECONDS - start)) $(rss_kb "$agent") $(anon_kb "$agent")")
    next_sample=$((next_sample + SAMPLE_EVERY))
  fi
  for url in "$((BASE + 20))/v1.0/getrole" "$((BASE + 30))/status" "$((BASE + 40))/metrics"; do
    curl -s "http://127.0.0.1:$url" >/dev/null || scrape_failures=$((scrape_failures + 1))
  done
  sleep 0.2
done
# A restarted agent would measure a fresh process: say so rather than report its figures.
[[ $(cat "$DIR/instances/db0/agent.pid") == "$agent" ]] || { echo "the agent was restarted during the run" >&2; exit 1; }
echo "scrape_failures=$scrape_failures"
if ((SAMPLE_EVERY > 0)); then
  samples+=("$((SECONDS - start)) $(rss_kb "$agent") $(anon_kb "$agent")")
  printf '%s\n' "${samples[@]}" | python3 -c '
import sys
rows = [tuple(map(int, line.split())) for line in sys.stdin if line.strip()]
print("sample_s  rss_mb  anon_kb")
for t, rss, anon in rows:
    print(f"{t:8d}  {rss / 1024:6.2f}  {anon:7d}")
settled = [r for r in rows if r[0] >= 180]
if len(settled) >= 2 and settled[-1][0] > settled[0][0]:
    (t0, _, a0), (t1, _, a1) = settled[0], settled[-1]
    print(f"anon_growth_after_3min_kb_per_min={(a1 - a0) / ((t1 - t0) / 60):.1f}")
'
fi
agent_kb=$(rss_kb "$agent")
agent_peak_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$agent/status")
cp "/proc/$agent/smaps" "$TMP/agent.smaps"
threads=$(ls "/proc/$agent/task" | wc -l)
mysqld_kb=$(rss_kb "$(cat "$DIR/instances/db0/mysqld.pid")")
supervisor_kb=$(rss_kb "$(cat "$DIR/supervisor.pid")")
# Baseline: the peak resident set of the same binary printing its help (loading it and its
# shared libraries, nothing else).
floor_kb=$(python3 -c 'import resource,subprocess,sys; subprocess.run([sys.argv[1], "--help"], stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$VIGIL")
python3 - "$agent_kb" "$floor_kb" "$supervisor_kb" "$mysqld_kb" "$SECONDS_TO_SCRAPE" "$agent_peak_kb" "$threads" \
  "$TMP/agent.smaps" <<'PY'
import collections, os, sys
agent, floor, supervisor, mysqld = (int(x) / 1024 for x in sys.argv[1:5])
print(f"agent_rss_mb={agent:.1f} (after {sys.argv[5]} s of scraping getrole/status/metrics every 0.2 s)"
      f" agent_peak_mb={int(sys.argv[6]) / 1024:.1f}")
print(f"target_mb=30 ratio={agent / 30:.2f}")
print(f"binary_floor_mb={floor:.1f} (peak of `vigil --help`) agent/floor={agent / floor:.2f}")
print(f"supervisor_rss_mb={supervisor:.1f} mariadbd_rss_mb={mysqld:.1f}")
# The agent's resident set by mapping: file-backed text is shared with the page cache (and with
# the supervisor, same binary); private memory is the agent's own.
by, key = collections.defaultdict(collections.Counter), None
for line in open(sys.argv[8]):
    f = line.split()
    if not f[0].endswith(":"):
        key = os.path.basename(f[5]) if len(f) > 5 and f[5].startswith("/") else (f[5] if len(f) > 5 else "[anonymous]")
    elif f[0] in ("Rss:", "Pss:", "Private_Clean:", "Private_Dirty:"):
        by[key][f[0][:-1]] += int(f[1])
total = collections.Counter()
for c in by.values():
    total.update(c)
print(f"agent_pss_mb={total['Pss'] / 1024:.1f} agent_private_mb={(total['Private_Clean'] + total['Private_Dirty']) / 1024:.1f}"
      f" agent_threads={sys.argv[7]}")
print("agent resident by mapping (MB):    rss  private")
for name, c in sorted(by.items(), key=lambda kv: -kv[1]["Rss"])[:8]:
    print(f"  {name[:30]:30} {c['Rss'] / 1024:5.1f}  {(c['Private_Clean'] + c['Private_Dirty']) / 1024:5.1f}")
PY
