#!/usr/bin/env bash
# Resident memory of `vigil agent` beside one instance (issue 6 target: < 30 MB), in a release
# build, after it has served its endpoints for a while. Baseline in the same run: the peak resident
# set of the same binary running `vigil --help` (the floor the runtime and shared libraries
# impose); mariadbd's and the supervisor's for scale.
# Usage: bench/agent-memory.sh [seconds-of-scraping]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_SCRAPE=${1:-20}
swift build -c release --product vigil >/dev/null
VIGIL=.build/release/vigil
DIR=$(mktemp -d /tmp/vigil-agent-mem-XXXXXX)/group
BASE=${VIGIL_BENCH_PORT_BASE:-25300}
trap '"$VIGIL" local destroy --yes --dir "$DIR" >/dev/null 2>&1 || true; rmdir "$(dirname "$DIR")" 2>/dev/null || true' EXIT
"$VIGIL" local up --dir "$DIR" --port-base "$BASE" --instances 1 --mode async >/dev/null
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
agent=$(cat "$DIR/instances/db0/agent.pid")
end=$((SECONDS + SECONDS_TO_SCRAPE))
while ((SECONDS < end)); do
  curl -s "http://127.0.0.1:$((BASE + 20))/v1.0/getrole" >/dev/null
  curl -s "http://127.0.0.1:$((BASE + 30))/status" >/dev/null
  curl -s "http://127.0.0.1:$((BASE + 40))/metrics" >/dev/null
  sleep 0.2
done
agent_kb=$(rss_kb "$agent")
mysqld_kb=$(rss_kb "$(cat "$DIR/instances/db0/mysqld.pid")")
supervisor_kb=$(rss_kb "$(cat "$DIR/supervisor.pid")")
# Baseline: the peak resident set of the same binary printing its help (loading it and its
# shared libraries, nothing else).
floor_kb=$(python3 -c 'import resource,subprocess,sys; subprocess.run([sys.argv[1], "--help"], stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$VIGIL")
python3 - "$agent_kb" "$floor_kb" "$supervisor_kb" "$mysqld_kb" "$SECONDS_TO_SCRAPE" <<'PY'
import sys
agent, floor, supervisor, mysqld = (int(x) / 1024 for x in sys.argv[1:5])
print(f"agent_rss_mb={agent:.1f} (after {sys.argv[5]} s of scraping getrole/status/metrics every 0.2 s)")
print(f"target_mb=30 ratio={agent / 30:.2f}")
print(f"binary_floor_mb={floor:.1f} (peak of `vigil --help`) agent/floor={agent / floor:.2f}")
print(f"supervisor_rss_mb={supervisor:.1f} mariadbd_rss_mb={mysqld:.1f}")
PY
