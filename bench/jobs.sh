#!/usr/bin/env bash
# Jobs benchmark (issue 8): two instances on one database (A with one worker, B with the default four),
# once with the shipped settings and once with
# Hangfire.PostgreSql's polling instead of LISTEN/NOTIFY (PromptHub:Jobs:LongPolling=false, the
# baseline), measuring
#   - enqueue-to-start: a job triggered through A from its creation to its start, on B (while A's worker
#     is kept busy) and wherever it runs once A is free;
#   - outbox delivery: a production upload's answer to the fake Discord receiving its message.
# Prints a Markdown table and writes it to bench/results/jobs-<time>.md. Usage: bench/jobs.sh [count, default 40]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COUNT=${1:-40}
RESULTS="$ROOT/bench/results"
DATA="$RESULTS/pg-jobs"
DISCORD_PORT=5199
ADMIN_KEY="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
PIDS=()

stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap stop_all EXIT

echo "== building (Release)"
mkdir -p "$RESULTS"
dotnet publish src/PromptHub.Api -c Release -o "$RESULTS/app" --nologo -v quiet >/dev/null

start_app() { # port, extra env...
  local port=$1; shift
  (cd "$RESULTS/app" && exec env ASPNETCORE_ENVIRONMENT=Production \
      PromptHub__EmbeddedDatabase__DataDirectory="$DATA" PromptHub__BootstrapAdminKey="$ADMIN_KEY" \
      PromptHub__SeedExamples=false PromptHub__RateLimits__Admin__PermitsPerSecond=100000 PromptHub__RateLimits__Admin__Burst=100000 \
      PromptHub__DeploymentEnvironment=production PromptHub__Discord__WebhookUrl="http://127.0.0.1:$DISCORD_PORT/api/webhooks/1/token" \
      "$@" dotnet PromptHub.Api.dll --urls "http://127.0.0.1:$port" >"$RESULTS/jobs-app-$port.log" 2>&1) &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the app on port $port did not start; see $RESULTS/jobs-app-$port.log" >&2
  exit 1
}

measure() { # label, extra env...
  local label=$1; shift
  rm -rf "$DATA" "$DATA.password"
  start_app 5181 PromptHub__Jobs__Workers=1 "$@"
  start_app 5191 "$@"
  local port database
  port=$(grep -o 'listening on 127.0.0.1:[0-9][0-9]*' "$RESULTS/jobs-app-5181.log" | head -1 | cut -d: -f2)
  database="postgresql://prompthub:$(cat "$DATA.password")@127.0.0.1:$port/prompthub"
  echo "== $label"
  python3 bench/jobs.py http://127.0.0.1:5181 "$ADMIN_KEY" "${PIDS[0]}" "${PIDS[1]}" "$DISCORD_PORT" "$database" "$COUNT" \
    | sed "s/^/$label /" | tee -a "$RESULTS/jobs-raw.txt"
  stop_all
}

rm -f "$RESULTS/jobs-raw.txt"
measure baseline PromptHub__Jobs__LongPolling=false
measure shipped

{
  echo "| settings | measure | n | p50 ms | p95 ms | max ms |"
  echo "| --- | --- | ---: | ---: | ---: | ---: |"
  awk '{ printf "| %s | %s %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$RESULTS/jobs-raw.txt"
} | tee "$RESULTS/jobs-$(date +%Y%m%d-%H%M%S).md"
