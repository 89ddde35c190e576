#!/usr/bin/env bash
# Does observing slow the control loop? A local group under a write load, measured with no
# status clients and with N WebSocket clients (one never reads). Usage:
#   bench/observe.sh [--seconds 30] [--clients 100] [--port-base 24400]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product vigil >/dev/null
swift build --product vigil-observe-bench >/dev/null
exec .build/debug/vigil-observe-bench --vigil .build/debug/vigil --dir "${TMPDIR:-/tmp}/vigil-observe-bench-$$" "$@"
