#!/usr/bin/env bash
# Load benchmark of the assistant server, loopback only and bounded in time:
#   1. POST /v1/chat throughput and latency with wrk (SQLite, rate limiting off);
#   2. 1,000 Server-Sent Events connections held open, then an agent reply reaches every one.
# usage: crates/assistant-server/bench/run.sh [DURATION_S=20] [CONNECTIONS=64]
# SERVER_BIN=path runs that build instead of building this checkout's (to compare two versions in one
# run: the knowledge base is this checkout's public/kb either way).
# Needs wrk (apt-get install wrk) and python3. Prints the numbers recorded in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION="${1:-20}"
CONNS="${2:-64}"
PORT=18123
DATA="$(mktemp -d)"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
# Speed-optimised build (the workspace release profile optimises for wasm size).
SERVER_BIN="${SERVER_BIN:-}"
if [ -z "$SERVER_BIN" ]; then
  CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 CARGO_PROFILE_BENCH_DEBUG=false \
    cargo build -q --profile bench -p assistant-server
  SERVER_BIN=target/release/assistant-server
fi
HASH="$(echo bench-password | "$SERVER_BIN" hash-password)"
cat > "$DATA/bench.toml" <<TOML
data_dir = "$DATA"
[server]
port = $PORT
[rate_limit]
per_second = 0
[hours]
always_open = true
[log]
level = "warn"
# One load generator on loopback: the per-address limits would stop it.
[limits]
conversations_per_ip_per_hour = 0
handoffs_per_ip_per_hour = 0
handoffs_per_conversation_per_hour = 0
streams_per_ip = 5000
streams_per_conversation = 1000
[security]
secure_cookies = false
hsts = false
[metrics]
token_sha256 = "$(echo -n bench-metrics | sha256sum | cut -d' ' -f1)"
[[agents]]
username = "bench"
display_name = "Bench"
password_hash = "$HASH"
TOML
ulimit -n 8192
"$SERVER_BIN" --config "$DATA/bench.toml" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
# Conversations for wrk to ask in (each opened once, as the widget does): "id secret" per line.
python3 - "http://127.0.0.1:$PORT" 200 > "$DATA/conversations.txt" <<'PY'
import json, secrets, sys, urllib.request
base, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    c = "bench-" + secrets.token_hex(12)
    body = json.dumps({"conversation_id": c, "claim": secrets.token_hex(20)}).encode()
    req = urllib.request.Request(base + "/v1/conversations", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    print(c, json.load(urllib.request.urlopen(req))["secret"])
PY
export BENCH_CONVERSATIONS="$DATA/conversations.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== warm-up"
wrk -t2 -c"$CONNS" -d3s -s crates/assistant-server/bench/chat.lua "http://127.0.0.1:$PORT" >/dev/null
echo "== POST /v1/chat: wrk -t2 -c$CONNS -d${DURATION}s"
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s crates/assistant-server/bench/chat.lua "http://127.0.0.1:$PORT"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1000 SSE connections"
python3 crates/assistant-server/bench/sse_hold.py "http://127.0.0.1:$PORT" 1000 10 10 bench bench-password
curl -s -H "Authorization: Bearer bench-metrics" "http://127.0.0.1:$PORT/metrics" | grep -E '^assistant_(sse_connections|queue_length|chat_answers_total)'
