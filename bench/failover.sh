#!/usr/bin/env bash
# Failover / switchover timings on a real local group. Usage: bench/failover.sh [--trials N] [--switchovers N]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product vigil >/dev/null
swift build --product vigil-failover-bench >/dev/null
exec .build/debug/vigil-failover-bench --vigil .build/debug/vigil --dir "${TMPDIR:-/tmp}/vigil-failover-bench-$$" "$@"
