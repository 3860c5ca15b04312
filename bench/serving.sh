#!/usr/bin/env bash
# Serving benchmark (issue 3): in one run, on this machine,
#   (a) a bare Kestrel endpoint answering the bytes of a real resolve answer,
#   (b) resolve, cached (the shipped configuration),
#   (c) resolve with the cache switched off (one database query per request),
#   (d) activation on one instance seen by a second one (100 activations),
#   (e) resolve with a subject, of prompts each running an A/B experiment (issue 9),
# and the resident memory of the app under load. Prints a Markdown table and writes it to
# bench/results/serving-<time>.md. Usage: bench/serving.sh [seconds per run, default 20]
# QUICK=1 measures (a), (b) and (e) only, to try a change to the serving path.
# PORTS="A B C bare" picks the four loopback ports (default "5181 5182 5183 5184").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_RUN=${1:-20}
CONNECTIONS=64
THREADS=2
RESULTS="$ROOT/bench/results"
DATA="$RESULTS/pg"
ADMIN_KEY="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
read -r PORT_A PORT_B PORT_C PORT_BARE <<<"${PORTS:-5181 5182 5183 5184}"
PIDS=()
PIDFILE="$RESULTS/serving.pids"


command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v python3 >/dev/null || { echo "python3 is needed for the propagation measure" >&2; exit 1; }

stop_all() {
  # SIGTERM: background jobs of a script ignore SIGINT. The apps shut down cleanly and stop their database.
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  rm -f "$PIDFILE"
}
trap stop_all EXIT

# Instances left by an interrupted earlier run of this script would hold the ports: they are ended by
# the process ids it wrote down, and only while those still run this benchmark's programs.
mkdir -p "$RESULTS"
if [ -f "$PIDFILE" ]; then
  while read -r pid; do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE "PromptHub.Api.dll|BareKestrel.dll"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done <"$PIDFILE"
  rm -f "$PIDFILE"
  sleep 1
fi

echo "== building (Release)"
dotnet publish src/PromptHub.Api -c Release -o "$RESULTS/app" --nologo -v quiet >/dev/null
dotnet publish bench/BareKestrel -c Release -o "$RESULTS/bare" --nologo -v quiet >/dev/null

# A fresh embedded database for the run; instances started on the same folder share its server.
if [ -f "$DATA/postmaster.pid" ]; then
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" stop -D "$DATA" -m fast >/dev/null 2>&1 \
    || pg_ctl stop -D "$DATA" -m fast >/dev/null 2>&1 || true
fi
rm -rf "$DATA" "$DATA.password"

start_app() { # port, extra env...
  local port=$1; shift
  (cd "$RESULTS/app" && exec env ASPNETCORE_ENVIRONMENT=Production \
      PromptHub__EmbeddedDatabase__DataDirectory="$DATA" PromptHub__BootstrapAdminKey="$ADMIN_KEY" \
      PromptHub__SeedExamples=false PromptHub__RateLimits__Admin__PermitsPerSecond=100000 \
      PromptHub__RateLimits__Admin__Burst=100000 "$@" \
      dotnet PromptHub.Api.dll --urls "http://127.0.0.1:$port" >"$RESULTS/app-$port.log" 2>&1) &
  PIDS+=($!)
  echo $! >>"$PIDFILE"
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the app on port $port did not become ready; see $RESULTS/app-$port.log" >&2
  exit 1
}
app_pid() { pgrep -f "PromptHub.Api.dll --urls http://127.0.0.1:$1" | head -1; }

echo "== starting instance A (cached) on the embedded database"
start_app "$PORT_A"
A=http://127.0.0.1:$PORT_A
H=(-H "Authorization: Bearer $ADMIN_KEY" -H "Content-Type: application/json")

seed_prompt() { # name: a text prompt with two versions, production → v1
  local encoded=${1//\//%2F}
  curl -sf "${H[@]}" -X POST "$A/api/v1/prompts" -d "{\"name\":\"$1\",\"type\":\"text\",\"tags\":[\"bench\"]}" >/dev/null
  local template="You are the support assistant of {{company}}. Answer the customer {{customer.name}} about {{topic}} in at most {{max_sentences}} sentences. Be precise, friendly and never invent facts. If unsure, say so and offer a human agent. Prompt ${1: -3}."
  curl -sf "${H[@]}" -X POST "$A/api/v1/prompts/$encoded/versions" \
    -d "{\"template\":\"$template\",\"config\":{\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"max_tokens\":300},\"labels\":[\"production\"]}" >/dev/null
  curl -sf "${H[@]}" -X POST "$A/api/v1/prompts/$encoded/versions" -d "{\"template\":\"$template Version two.\"}" >/dev/null
}

echo "== seeding 100 prompts (two versions each, production → v1)"
for i in $(seq -f "%03g" 0 99); do seed_prompt "bench/p$i"; done
echo "== seeding 100 more, each running a 50/50 experiment (v1 against v2 on production)"
for i in $(seq -f "%03g" 0 99); do
  seed_prompt "bench/e$i"
  curl -sf "${H[@]}" -X POST "$A/api/v1/experiments" -d "{\"key\":\"bench-e$i\",\"prompt\":\"bench/e$i\",\"variants\":[{\"name\":\"control\",\"version\":1,\"weight\":50},{\"name\":\"two\",\"version\":2,\"weight\":50}]}" >/dev/null
  curl -sf "${H[@]}" -X POST "$A/api/v1/experiments/bench-e$i/start" >/dev/null
done
READER_KEY=$(curl -sf "${H[@]}" -X POST "$A/api/v1/keys" -d '{"name":"bench reader","role":"reader"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
export READER_KEY
curl -sf -H "Authorization: Bearer $READER_KEY" "$A/api/v1/prompts/bench%2Fp000/resolve" -o "$RESULTS/resolve-body.json"

curl -sf -H "Authorization: Bearer $READER_KEY" "$A/api/v1/prompts/bench%2Fe000/resolve?subject=user-1" | grep -q '"experiment":{"key":"bench-e000"' \
  || { echo "resolve with a subject does not answer the experiment" >&2; exit 1; }

echo "== starting instance B (cached), instance C (cache off) and the bare endpoint"
start_app "$PORT_B"
start_app "$PORT_C" PromptHub__Serving__Cache=false
B=http://127.0.0.1:$PORT_B
C=http://127.0.0.1:$PORT_C
BARE=http://127.0.0.1:$PORT_BARE
(cd "$RESULTS/bare" && exec dotnet BareKestrel.dll "$RESULTS/resolve-body.json" --urls "$BARE" >"$RESULTS/bare.log" 2>&1) &
PIDS+=($!)
echo $! >>"$PIDFILE"
for _ in $(seq 1 60); do curl -sf -o /dev/null "$BARE/api/v1/prompts/x/resolve" && break; sleep 0.5; done

to_ms() { # wrk latency like 812.00us, 1.23ms, 1.01s → milliseconds
  python3 -c "import sys,re; v,u=re.match(r'([\d.]+)(us|ms|s)',sys.argv[1]).groups(); print(round(float(v)*{'us':0.001,'ms':1,'s':1000}[u],3))" "$1"
}

run_wrk() { # base url, pid to watch (or empty), "experiment" for (e) → "rps p50 p99 rss_mb"
  local base=$1 pid=${2:-}
  export EXPERIMENT=${3:-}
  wrk -t$THREADS -c$CONNECTIONS -d5s -s bench/resolve.lua "$base" >/dev/null  # warm-up
  local rss_file
  rss_file=$(mktemp)
  if [ -n "$pid" ]; then
    (while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" >>"$rss_file"; sleep 0.5; done) &
    local sampler=$!
  fi
  local out
  out=$(wrk -t$THREADS -c$CONNECTIONS -d"${SECONDS_PER_RUN}s" --latency -s bench/resolve.lua "$base")
  [ -n "$pid" ] && kill "$sampler" 2>/dev/null || true
  echo "$out" >"$RESULTS/wrk-$(echo "$base" | tr -dc '0-9')${EXPERIMENT:+-experiment}.txt"
  if echo "$out" | grep -q "Non-2xx"; then echo "wrk saw errors against $base:" >&2; echo "$out" >&2; exit 1; fi
  local rps p50 p99 rss
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  rss=$( [ -s "$rss_file" ] && sort -n "$rss_file" | tail -1 | awk '{printf "%.0f", $1/1024}' || echo "-")
  rm -f "$rss_file"
  echo "$rps $p50 $p99 $rss"
}

mean() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(round(sum(v)/len(v), 3))" "$@"; }

# (a), (b) and (e) alternate (a, b, e, a, b, e…) and are averaged: the machine's speed drifts between runs.
ROUNDS=${ROUNDS:-3}
echo "== (a) bare Kestrel endpoint, (b) resolve cached, (e) resolve with a subject in an experiment: alternating, $ROUNDS rounds"
A_ALL=(); A_P50S=(); A_P99S=(); B_ALL=(); B_P50S=(); B_P99S=(); B_RSS=0; E_ALL=(); E_P50S=(); E_P99S=(); E_RSS=0
for _ in $(seq 1 "$ROUNDS"); do
  read -r rps p50 p99 _ < <(run_wrk "$BARE" "$(pgrep -f 'BareKestrel.dll' | head -1)")
  A_ALL+=("$rps"); A_P50S+=("$p50"); A_P99S+=("$p99")
  read -r rps p50 p99 rss < <(run_wrk "$A" "$(app_pid "$PORT_A")")
  B_ALL+=("$rps"); B_P50S+=("$p50"); B_P99S+=("$p99"); B_RSS=$(( rss > B_RSS ? rss : B_RSS ))
  read -r rps p50 p99 rss < <(run_wrk "$A" "$(app_pid "$PORT_A")" experiment)
  E_ALL+=("$rps"); E_P50S+=("$p50"); E_P99S+=("$p99"); E_RSS=$(( rss > E_RSS ? rss : E_RSS ))
done
A_RPS=$(mean "${A_ALL[@]}"); A_P50=$(mean "${A_P50S[@]}"); A_P99=$(mean "${A_P99S[@]}")
B_RPS=$(mean "${B_ALL[@]}"); B_P50=$(mean "${B_P50S[@]}"); B_P99=$(mean "${B_P99S[@]}")
E_RPS=$(mean "${E_ALL[@]}"); E_P50=$(mean "${E_P50S[@]}"); E_P99=$(mean "${E_P99S[@]}")
RATIO_EB=$(python3 -c "print(f'{$E_RPS/$B_RPS:.2f}')")
echo "   a: ${A_ALL[*]} req/s; b: ${B_ALL[*]} req/s; e: ${E_ALL[*]} req/s"
if [ "${QUICK:-0}" = 1 ]; then
  echo "(a) $A_RPS req/s p99 $A_P99 ms; (b) $B_RPS req/s p99 $B_P99 ms, RSS $B_RSS MB; (e) $E_RPS req/s p99 $E_P99 ms; b/a $(python3 -c "print(f'{$B_RPS/$A_RPS:.2f}')"); e/b $RATIO_EB"
  exit 0
fi
echo "== (c) resolve, cache off (one query per request)"
read -r C_RPS C_P50 C_P99 C_RSS < <(run_wrk "$C" "$(app_pid "$PORT_C")")
echo "== (d) activation on A seen by B (100 activations)"
read -r D_N D_P50 D_P99 D_MAX < <(python3 bench/propagation.py "$A" "$B" "$ADMIN_KEY" "$READER_KEY" "bench/p050" 100)

RATIO_BA=$(python3 -c "print(f'{$B_RPS/$A_RPS:.2f}')")
RATIO_BC=$(python3 -c "print(f'{$B_RPS/$C_RPS:.1f}')")
P99_LIMIT=$(python3 -c "print('5 ms' if $A_P99 <= 2.5 else f'{2*$A_P99:.2f} ms (2 × a, as a > 2.5 ms)')")
NOW=$(date -u +%Y-%m-%dT%H:%MZ)
REPORT="$RESULTS/serving-$(date -u +%Y%m%dT%H%M).md"
cat >"$REPORT" <<EOF
Serving benchmark, $NOW, $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s over 100 prompts, app in Release (Production settings).
(a), (b) and (e) are the means of $ROUNDS alternating runs each (a: ${A_ALL[*]}; b: ${B_ALL[*]}; e: ${E_ALL[*]} requests/s).

| run | requests/s | p50 ms | p99 ms | RSS MB |
| --- | ---: | ---: | ---: | ---: |
| (a) bare Kestrel, same bytes | $A_RPS | $A_P50 | $A_P99 | |
| (b) resolve, cached | $B_RPS | $B_P50 | $B_P99 | $B_RSS |
| (c) resolve, cache off (1 query/request) | $C_RPS | $C_P50 | $C_P99 | $C_RSS |
| (e) resolve with a subject, experiment running | $E_RPS | $E_P50 | $E_P99 | $E_RSS |

| measure | value | target |
| --- | ---: | --- |
| b/a requests/s | $RATIO_BA | ≥ 0.70 |
| b p99 | $B_P99 ms | ≤ $P99_LIMIT |
| b/c requests/s | $RATIO_BC | ≥ 10 |
| (d) activation seen by instance B, p50 / p99 / max of $D_N | $D_P50 / $D_P99 / $D_MAX ms | p99 ≤ 1000 ms |
| e/b requests/s (experiment running against none) | $RATIO_EB | ≥ 0.90 |
| RSS of instance A under load (b) | $B_RSS MB | ≤ 300 MB |
EOF
echo
cat "$REPORT"
