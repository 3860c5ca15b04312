#!/usr/bin/env bash
# Guardrails benchmark (issue 13): render of 4 KB of variables, in one run, on this machine,
#   (m) on the baseline build (git ref $BASELINE_REF, default main: render before guardrails existed),
#   (n) on this build, in a project with no guardrails,
#   (g) on this build, in a project with all four guardrail types active (pii redact, prompt_injection
#       warn, a 50-term blocklist, max_length), which find and redact an e-mail and a phone number.
# (m), (n) and (g) alternate (m, n, g, m, n, g…) and are averaged: the machine's speed drifts between runs.
# Prints a Markdown table and writes it to bench/results/guardrails-<time>.md.
# Usage: bench/guardrails.sh [seconds per run, default 10]; ROUNDS (default 3), CONNECTIONS (default 4),
# PORTS="this baseline" (default "5191 5192").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${CONNECTIONS:-4}
THREADS=2
ROUNDS=${ROUNDS:-3}
BASELINE_REF=${BASELINE_REF:-main}
RESULTS="$ROOT/bench/results"
ADMIN_KEY="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
read -r PORT_THIS PORT_BASE <<<"${PORTS:-5191 5192}"
PIDS=()
PIDFILE="$RESULTS/guardrails.pids"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  rm -f "$PIDFILE"
}
trap stop_all EXIT

# Instances left by an interrupted earlier run are ended by the ids it wrote down, only while they still run this app.
mkdir -p "$RESULTS"
if [ -f "$PIDFILE" ]; then
  while read -r pid; do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "PromptHub.Api.dll"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done <"$PIDFILE"
  rm -f "$PIDFILE"
  sleep 1
fi

echo "== building this tree and $BASELINE_REF (Release)"
dotnet publish src/PromptHub.Api -c Release -o "$RESULTS/guard-this" --nologo -v quiet >/dev/null
rm -rf "$RESULTS/guard-baseline-src" && mkdir -p "$RESULTS/guard-baseline-src"
git archive "$BASELINE_REF" | tar -x -C "$RESULTS/guard-baseline-src"
dotnet publish "$RESULTS/guard-baseline-src/src/PromptHub.Api" -c Release -o "$RESULTS/guard-baseline" --nologo -v quiet >/dev/null

start_app() { # directory, port, data directory
  local dir=$1 port=$2 data=$3
  if [ -f "$data/postmaster.pid" ]; then
    runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" stop -D "$data" -m fast >/dev/null 2>&1 \
      || pg_ctl stop -D "$data" -m fast >/dev/null 2>&1 || true
  fi
  rm -rf "$data" "$data.password"
  (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production \
      PromptHub__EmbeddedDatabase__DataDirectory="$data" PromptHub__BootstrapAdminKey="$ADMIN_KEY" \
      PromptHub__SeedExamples=false PromptHub__RateLimits__Admin__PermitsPerSecond=100000 \
      PromptHub__RateLimits__Admin__Burst=100000 \
      dotnet PromptHub.Api.dll --urls "http://127.0.0.1:$port" >"$RESULTS/guard-app-$port.log" 2>&1) &
  PIDS+=($!)
  echo $! >>"$PIDFILE"
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the app on port $port did not become ready; see $RESULTS/guard-app-$port.log" >&2
  exit 1
}

echo "== starting this build on $PORT_THIS and the baseline on $PORT_BASE (each on its own embedded database)"
start_app "$RESULTS/guard-this" "$PORT_THIS" "$RESULTS/pg-guard-this"
start_app "$RESULTS/guard-baseline" "$PORT_BASE" "$RESULTS/pg-guard-baseline"
THIS=http://127.0.0.1:$PORT_THIS
BASE=http://127.0.0.1:$PORT_BASE
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

TEMPLATE='Customer {{ customer.name }} ({{ customer.email }}, {{ customer.phone }}) writes: {{ message }} Notes: {{ notes }}'
seed_prompt() { # base url, admin key → a reader key
  local base=$1 key=$2
  local h=(-H "Authorization: Bearer $key" -H "Content-Type: application/json")
  curl -sf "${h[@]}" -X POST "$base/api/v1/prompts" -d '{"name":"bench/render","type":"text"}' >/dev/null
  curl -sf "${h[@]}" -X POST "$base/api/v1/prompts/bench%2Frender/versions" -d "{\"template\":\"$TEMPLATE\",\"labels\":[\"production\"]}" >/dev/null
  curl -sf "${h[@]}" -X POST "$base/api/v1/keys" -d '{"name":"bench reader","role":"reader"}' | json 'd["secret"]'
}
new_project() { # slug → its admin key
  curl -sf -H "Authorization: Bearer $ADMIN_KEY" -H "Content-Type: application/json" -X POST "$THIS/api/v1/projects" \
    -d "{\"slug\":\"$1\",\"name\":\"$1\"}" | json 'd["adminKey"]["secret"]'
}

echo "== seeding: baseline prompt, a project without guardrails, a project with all four types"
BASE_READER=$(seed_prompt "$BASE" "$ADMIN_KEY")
PLAIN_ADMIN=$(new_project plain)
PLAIN_READER=$(seed_prompt "$THIS" "$PLAIN_ADMIN")
GUARDED_ADMIN=$(new_project guarded)
GUARDED_READER=$(seed_prompt "$THIS" "$GUARDED_ADMIN")
G=(-H "Authorization: Bearer $GUARDED_ADMIN" -H "Content-Type: application/json")
TERMS=$(python3 -c 'import json; print(json.dumps(["forbidden%02d" % i for i in range(49)] + ["competitor corp"]))')
curl -sf "${G[@]}" -X POST "$THIS/api/v1/guardrails" -d '{"name":"pii","type":"pii","action":"redact"}' >/dev/null
curl -sf "${G[@]}" -X POST "$THIS/api/v1/guardrails" -d '{"name":"injection","type":"prompt_injection","action":"warn"}' >/dev/null
curl -sf "${G[@]}" -X POST "$THIS/api/v1/guardrails" -d "{\"name\":\"terms\",\"type\":\"blocklist\",\"action\":\"block\",\"config\":{\"terms\":$TERMS}}" >/dev/null
curl -sf "${G[@]}" -X POST "$THIS/api/v1/guardrails" -d '{"name":"length","type":"max_length","action":"warn","config":{"maxLength":20000}}' >/dev/null

BODY_FILE="$RESULTS/guard-body.json"
python3 - "$BODY_FILE" <<'PY'
import json, sys
sentence = ("My order arrived late and the box was damaged, so I would like to know whether a replacement can be sent "
            "before the weekend, or whether I should return the item first and wait for the refund to be processed. ")
message = "Hello, I am writing about order 48213. " + sentence * 8 + "You can reach me at jane.doe@example.com or +1 415-555-2671."
notes = "Agent notes: customer called twice, polite, asked for a callback in the afternoon. " + sentence * 4
history = [sentence * 2 for _ in range(3)]
body = {"variables": {"customer": {"name": "Jane Doe", "email": "jane.doe@example.com", "phone": "+14155552671", "tier": "gold"},
                      "message": message, "notes": notes, "history": history}}
text = json.dumps(body)
open(sys.argv[1], "w").write(text)
print(f"   variables: {len(json.dumps(body['variables']))} bytes")
PY
export BODY_FILE RENDER_PATH="/api/v1/prompts/bench%2Frender/render"

check_render() { # base url, reader key, expected number of findings (a few tries: a loaded machine may time out the first query)
  local found=""
  for _ in 1 2 3 4 5; do
    found=$(curl -sf -H "Authorization: Bearer $2" -H "Content-Type: application/json" -X POST "$1$RENDER_PATH" --data-binary "@$BODY_FILE" | json 'len(d["guardrails"])' 2>/dev/null) && break
    sleep 1
  done
  [ "$found" = "$3" ] || { echo "render on $1 found '$found' guardrail findings, expected $3" >&2; exit 1; }
}
check_render "$BASE" "$BASE_READER" 0
check_render "$THIS" "$PLAIN_READER" 0
check_render "$THIS" "$GUARDED_READER" 4  # the e-mail twice and the phone twice, redacted

to_ms() {
  python3 -c "import sys,re; v,u=re.match(r'([\d.]+)(us|ms|s)',sys.argv[1]).groups(); print(round(float(v)*{'us':0.001,'ms':1,'s':1000}[u],3))" "$1"
}
run_wrk() { # base url, reader key → "rps p50 p99"
  export READER_KEY=$2
  wrk -t$THREADS -c"$CONNECTIONS" -d3s -s bench/render.lua "$1" >/dev/null  # warm-up
  local out
  out=$(wrk -t$THREADS -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s bench/render.lua "$1")
  if echo "$out" | grep -q "Non-2xx"; then echo "wrk saw errors against $1:" >&2; echo "$out" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')") $(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")"
}
mean() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(round(sum(v)/len(v), 3))" "$@"; }

echo "== (m) baseline, (n) no guardrails, (g) all four guardrails: alternating, $ROUNDS rounds of ${SECONDS_PER_RUN}s at $CONNECTIONS connections"
M_RPS=(); M_P50=(); M_P99=(); N_RPS=(); N_P50=(); N_P99=(); G_RPS=(); G_P50=(); G_P99=()
for round in $(seq 1 "$ROUNDS"); do
  read -r rps p50 p99 < <(run_wrk "$BASE" "$BASE_READER"); M_RPS+=("$rps"); M_P50+=("$p50"); M_P99+=("$p99")
  read -r rps p50 p99 < <(run_wrk "$THIS" "$PLAIN_READER"); N_RPS+=("$rps"); N_P50+=("$p50"); N_P99+=("$p99")
  read -r rps p50 p99 < <(run_wrk "$THIS" "$GUARDED_READER"); G_RPS+=("$rps"); G_P50+=("$p50"); G_P99+=("$p99")
  echo "   round $round: m ${M_RPS[-1]} req/s p99 ${M_P99[-1]} ms; n ${N_RPS[-1]} req/s p99 ${N_P99[-1]} ms; g ${G_RPS[-1]} req/s p99 ${G_P99[-1]} ms"
done
MR=$(mean "${M_RPS[@]}"); M5=$(mean "${M_P50[@]}"); M9=$(mean "${M_P99[@]}")
NR=$(mean "${N_RPS[@]}"); N5=$(mean "${N_P50[@]}"); N9=$(mean "${N_P99[@]}")
GR=$(mean "${G_RPS[@]}"); G5=$(mean "${G_P50[@]}"); G9=$(mean "${G_P99[@]}")
ADDED_P99=$(python3 -c "print(f'{$G9 - $N9:.3f}')")
ADDED_P50=$(python3 -c "print(f'{$G5 - $N5:.3f}')")
NM=$(python3 -c "print(f'{$NR / $MR:.2f}')")
NOW=$(date -u +%Y-%m-%dT%H:%MZ)
REPORT="$RESULTS/guardrails-$(date -u +%Y%m%dT%H%M).md"
cat >"$REPORT" <<MD
Guardrails benchmark, $NOW, $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, POST render of $(python3 -c "import json; print(len(json.dumps(json.load(open('$BODY_FILE'))['variables'])))") bytes of variables, apps in Release (Production settings).
Means of $ROUNDS alternating rounds (m: ${M_RPS[*]}; n: ${N_RPS[*]}; g: ${G_RPS[*]} requests/s). Baseline: $BASELINE_REF ($(git rev-parse --short "$BASELINE_REF")).

| run | requests/s | p50 ms | p99 ms |
| --- | ---: | ---: | ---: |
| (m) render, baseline build ($BASELINE_REF) | $MR | $M5 | $M9 |
| (n) render, this build, no guardrails | $NR | $N5 | $N9 |
| (g) render, this build, pii + prompt_injection + blocklist (50 terms) + max_length | $GR | $G5 | $G9 |

| measure | value | target |
| --- | ---: | --- |
| added p99, g − n | $ADDED_P99 ms | ≤ 0.5 ms |
| added p50, g − n | $ADDED_P50 ms | |
| n/m requests/s (no guardrails against the baseline) | $NM | unchanged (≈ 1.00) |
MD
echo
cat "$REPORT"
