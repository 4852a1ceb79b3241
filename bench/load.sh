#!/usr/bin/env bash
# Load benchmark for the tessera server, side by side with its floor (a bare tiny_http
# hello-world with the same worker count), all on 127.0.0.1. Needs wrk (Debian: apt-get install wrk).
#
#   bench/load.sh            # 10 s per run, 64 connections, 32 workers (the default)
#   DURATION=30s bench/load.sh
#
# Prints requests/s and p50/p99 latency for:
#   1. the floor,   2. GET /api/resource with a token,
#   3. the token path again while a login flood (GET /api/token with Basic) runs,
#   4. a login flood alone: logins/s against the limit cores / (argon2 time per hash).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WORKERS=${WORKERS:-32}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-16}

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked -q -p tessera-server --bin tessera --example hello_floor

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

start() { # name, command...: starts it, waits for its "http://" line, prints the address
    local name=$1; shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=($!)
    for _ in $(seq 100); do
        if grep -q 'http://' "$tmp/$name.out" 2>/dev/null; then
            grep -o 'http://[0-9.:]*' "$tmp/$name.out" | head -1
            return
        fi
        sleep 0.1
    done
    echo "$name did not start: $(cat "$tmp/$name.err")" >&2
    exit 1
}

summary() { # label, wrk output file
    local rps p50 p99 shed
    rps=$(awk '/Requests\/sec/ {print $2}' "$2")
    shed=$(awk '/Non-2xx/ {print $5}' "$2")
    p50=$(awk '$1 == "50%" {print $2}' "$2")
    p99=$(awk '$1 == "99%" {print $2}' "$2")
    printf '%-44s %12s req/s   p50 %8s   p99 %8s%s\n' "$1" "$rps" "$p50" "$p99" "${shed:+   ($shed answered 503)}"
}

floor=$(start floor target/release/examples/hello_floor 127.0.0.1:0 "$WORKERS")
server=$(start tessera target/release/tessera serve --bind 127.0.0.1:0 --data-dir "$tmp/data" \
    --workers "$WORKERS")

curl -fsS -X POST -H 'Content-Type: application/json' \
    -d '{"username":"bench","password":"bench-password"}' "$server/api/users" >/dev/null
token=$(curl -fsS -u bench:bench-password "$server/api/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
basic=$(printf 'bench:bench-password' | base64)

echo "machine: $(nproc) cores; $CONNECTIONS connections, $WORKERS workers, $DURATION per run"
# Floor and token path alternate, three runs each, and the ratio is taken of the medians: the
# machine's drift between runs is larger than most effects. Both get the same request (the floor
# ignores the token), so the difference is what tessera does with it.
for round in 1 2 3; do
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$floor/" >"$tmp/floor-$round.txt"
    summary "floor: tiny_http hello-world (run $round)" "$tmp/floor-$round.txt"
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$server/api/resource" >"$tmp/token-$round.txt"
    summary "tessera GET /api/resource (token) (run $round)" "$tmp/token-$round.txt"
done

# Argon2 time per hash: sequential logins on one connection.
wrk -t1 -c1 -d5s --latency -H "Authorization: Basic $basic" "$server/api/token" >"$tmp/one-login.txt"
summary "one login at a time (argon2 time per hash)" "$tmp/one-login.txt"

# The login flood alone: how close to the hashing limit does it get?
wrk -t1 -c"$FLOOD_CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Basic $basic" "$server/api/token" >"$tmp/flood-alone.txt"
summary "login flood alone: GET /api/token (Basic)" "$tmp/flood-alone.txt"

# The token path while a login flood runs.
wrk -t1 -c"$FLOOD_CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Basic $basic" "$server/api/token" >"$tmp/flood.txt" &
flood=$!
sleep 1
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$server/api/resource" >"$tmp/token-flood.txt"
wait "$flood"
summary "tessera GET /api/resource during login flood" "$tmp/token-flood.txt"
summary "login flood: GET /api/token (Basic)" "$tmp/flood.txt"

python3 - "$tmp" "$(nproc)" <<'PY'
import re, sys
tmp, cores = sys.argv[1], int(sys.argv[2])
def rps(name):
    return float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{tmp}/{name}.txt").read()).group(1))
def ok_per_sec(name):
    """Successful (2xx) responses per second: wrk's Requests/sec counts 503s too."""
    text = open(f"{tmp}/{name}.txt").read()
    total, secs = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", text).group(1, 2)
    unit = re.search(r"\d+ requests in [\d.]+(ms|s|m)", text).group(1)
    secs = float(secs) * {"ms": 0.001, "s": 1, "m": 60}[unit]
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return (int(total) - (int(m.group(1)) if m else 0)) / secs
def p99_ms(name):
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", open(f"{tmp}/{name}.txt").read(), re.M)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
def median(values):
    return sorted(values)[len(values) // 2]
hash_ms = 1000 / rps("one-login")
floor_rps = median([rps(f"floor-{r}") for r in (1, 2, 3)])
token_rps = median([rps(f"token-{r}") for r in (1, 2, 3)])
token_p99 = median([p99_ms(f"token-{r}") for r in (1, 2, 3)])
print(f"token path / floor throughput (medians): {token_rps:.0f} / {floor_rps:.0f} = {token_rps / floor_rps:.2f}  (goal >= 0.80)")
print(f"token p99 during flood / without flood:  {p99_ms('token-flood'):.2f} ms / {token_p99:.2f} ms = {p99_ms('token-flood') / token_p99:.2f}  (goal <= 2)")
limit = cores / (hash_ms / 1000)
print(f"logins/s (flood alone) / limit:          {ok_per_sec('flood-alone'):.0f} / {limit:.0f} = {ok_per_sec('flood-alone') / limit:.2f}  (goal >= 0.90; limit = {cores} cores / {hash_ms:.1f} ms per login; 503s not counted)")
print(f"logins/s while the token path is loaded: {ok_per_sec('flood'):.0f}")
PY
