#!/usr/bin/env bash
# Analytics benchmark (issue 4), in one run on this machine:
#   (1) ingest: 1,000,000 executions through POST /api/v1/executions in batches of 1000 (4 at a time):
#       events/s, p50/p99 batch latency, and the app's highest RSS meanwhile;
#   (2) the daily roll-up of 10,000,000 executions of one day (generated in SQL), run through the
#       backfill job: seconds, measured by the job itself (started → finished), twice.
# Prints a Markdown table and writes it to bench/results/analytics-<time>.md.
# Usage: bench/analytics.sh [executions to ingest, default 1000000] [rows to roll up, default 10000000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
INGEST=${1:-1000000}
ROWS=${2:-10000000}
RESULTS="$ROOT/bench/results"
DATA="$RESULTS/pg-analytics"
PORT=${PORT:-5185}  # another loopback port: PORT=5186 bench/analytics.sh
BASE="http://127.0.0.1:$PORT"
ADMIN_KEY="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
APP_PID=""

command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
stop_app() { [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true; }
trap stop_app EXIT
! curl -s -o /dev/null "$BASE/health/live" || { echo "port $PORT is in use; choose another with PORT=" >&2; exit 1; }

echo "== building (Release)"
mkdir -p "$RESULTS"
dotnet publish src/PromptHub.Api -c Release -o "$RESULTS/app" --nologo -v quiet >/dev/null
dotnet publish bench/IngestLoad -c Release -o "$RESULTS/ingest-load" --nologo -v quiet >/dev/null

if [ -f "$DATA/postmaster.pid" ]; then
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" stop -D "$DATA" -m fast >/dev/null 2>&1 || true
fi
rm -rf "$DATA" "$DATA.password"

echo "== starting the app (Production) on a fresh embedded database"
(cd "$RESULTS/app" && exec env ASPNETCORE_ENVIRONMENT=Production PromptHub__EmbeddedDatabase__DataDirectory="$DATA" \
    PromptHub__BootstrapAdminKey="$ADMIN_KEY" PromptHub__SeedExamples=false \
    dotnet PromptHub.Api.dll --urls "$BASE" >"$RESULTS/app-analytics.log" 2>&1) &
APP_PID=$!
for _ in $(seq 1 120); do curl -sf "$BASE/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "$BASE/health/ready" >/dev/null || { echo "the app did not start; see $RESULTS/app-analytics.log" >&2; exit 1; }
DB_PORT=$(grep -o '127.0.0.1:[0-9][0-9]*' "$RESULTS/app-analytics.log" | head -1 | cut -d: -f2)
export PGPASSWORD; PGPASSWORD=$(cat "$DATA.password")
sql() { psql -h 127.0.0.1 -p "$DB_PORT" -U prompthub -d prompthub -v ON_ERROR_STOP=1 -Atq "$@"; }

H=(-H "Authorization: Bearer $ADMIN_KEY" -H "Content-Type: application/json")
curl -sf "${H[@]}" -X POST "$BASE/api/v1/prompts" -d '{"name":"bench/ingest","type":"text"}' >/dev/null
curl -sf "${H[@]}" -X POST "$BASE/api/v1/prompts/bench%2Fingest/versions" -d '{"template":"Answer {{q}}","labels":["production"]}' >/dev/null
curl -sf "${H[@]}" -X POST "$BASE/api/v1/prompts/bench%2Fingest/versions" -d '{"template":"Answer {{q}} briefly"}' >/dev/null
READER_KEY=$(curl -sf "${H[@]}" -X POST "$BASE/api/v1/keys" -d '{"name":"bench reader","role":"reader"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

echo "== (1) ingest: $INGEST executions, batches of 1000, 4 at a time"
"$RESULTS/ingest-load/IngestLoad" "$BASE" "$READER_KEY" bench/ingest 20000 1000 4 >/dev/null  # warm-up
RSS_FILE=$(mktemp)
(while kill -0 "$APP_PID" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$APP_PID/status" >>"$RSS_FILE"; sleep 0.5; done) &
SAMPLER=$!
read -r EVENTS BATCHES P50 P99 ERRORS SECS < <("$RESULTS/ingest-load/IngestLoad" "$BASE" "$READER_KEY" bench/ingest "$INGEST" 1000 4)
kill "$SAMPLER" 2>/dev/null || true
RSS=$(sort -n "$RSS_FILE" | tail -1 | awk '{printf "%.0f", $1/1024}'); rm -f "$RSS_FILE"
STORED=$(sql -c "SELECT count(*) FROM analytics.executions")

echo "== (2) roll-up: generating $ROWS executions of one day in SQL"
DAY=$(date -u -d '2 days ago' +%Y-%m-%d)
PROJECT=$(sql -c "SELECT project_id FROM prompts.prompts WHERE name = 'bench/ingest'")
PROMPT=$(sql -c "SELECT id FROM prompts.prompts WHERE name = 'bench/ingest'")
GEN_START=$(date +%s)
sql <<EOF
INSERT INTO analytics.executions (project_id, id, prompt_id, version, label, experiment, variant, subject, latency_ms,
    input_tokens, output_tokens, cost_usd, model, success, score, error, occurred_at, received_at)
SELECT '$PROJECT', 'gen-' || g, '$PROMPT', 1 + g % 2, 'production',
    CASE WHEN g % 3 = 0 THEN 'exp-1' END, CASE WHEN g % 3 = 0 THEN (ARRAY['a', 'b'])[1 + g % 2] END, 'user-' || g % 100000,
    50 + (g::bigint * 7919) % 2000, 300 + g % 700, 50 + g % 300, 0.0001 * (g % 50), 'gpt-4o-mini', g % 20 <> 0,
    CASE WHEN g % 4 = 0 THEN (g % 100) / 100.0 END, CASE WHEN g % 20 = 0 THEN 'timeout' END,
    timestamptz '$DAY 00:00:00+00' + (g % 86400) * interval '1 second', now()
FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE analytics.executions;
EOF
GEN_SECS=$(( $(date +%s) - GEN_START ))
DAY_ROWS=$(sql -c "SELECT count(*) FROM analytics.executions WHERE occurred_at >= '$DAY' AND occurred_at < date '$DAY' + 1")

roll_up() { # → seconds the job took, from its own timestamps
  local location state
  location=$(curl -sf -D - -o /dev/null "${H[@]}" -X POST "$BASE/api/v1/analytics/backfill" -d "{\"from\":\"$DAY\",\"to\":\"$DAY\"}" | awk 'tolower($1)=="location:" {print $2}' | tr -d '\r')
  for _ in $(seq 1 600); do
    state=$(curl -sf "${H[@]}" "$BASE$location")
    case "$state" in *'"succeeded"'*) break ;; *'"failed"'*) echo "backfill failed: $state" >&2; exit 1 ;; esac
    sleep 1
  done
  echo "$state" | python3 -c 'import json,sys; from datetime import datetime as d; s=json.load(sys.stdin); print(round((d.fromisoformat(s["finishedAt"])-d.fromisoformat(s["startedAt"])).total_seconds(), 2))'
}
echo "== rolling up $DAY_ROWS executions of $DAY (backfill job), twice"
AGG1=$(roll_up)
ROWS1=$(sql -c "SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM analytics.daily_stats s WHERE day = '$DAY'")
AGG2=$(roll_up)
ROWS2=$(sql -c "SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM analytics.daily_stats s WHERE day = '$DAY'")
DAILY_ROWS=$(sql -c "SELECT count(*) FROM analytics.daily_stats WHERE day = '$DAY'")
SAME=$([ "$ROWS1" = "$ROWS2" ] && echo yes || echo NO)

NOW=$(date -u +%Y-%m-%dT%H:%MZ)
REPORT="$RESULTS/analytics-$(date -u +%Y%m%dT%H%M).md"
cat >"$REPORT" <<EOF
Analytics benchmark, $NOW, $(nproc) cores, app in Release (Production settings) on the embedded PostgreSQL; the load generator runs on the same cores.

| measure | value | target |
| --- | ---: | --- |
| ingest: events/s ($INGEST executions, $BATCHES batches of 1000, 4 concurrent) | $EVENTS | ≥ 50,000 |
| ingest: batch latency p50 / p99 | $P50 / $P99 ms | |
| ingest: errors; rows stored (with the 20,000 of the warm-up) | $ERRORS; $STORED | 0; $((INGEST + 20000)) |
| ingest: highest RSS of the app | $RSS MB | ≤ 300 MB |
| roll-up of one day of $DAY_ROWS executions ($DAILY_ROWS daily rows), first run | $AGG1 s | ≤ 20 s |
| same day again (rows identical: $SAME) | $AGG2 s | |

(Generating the $ROWS rows in SQL took $GEN_SECS s; it is set-up, not measured.)
EOF
echo
cat "$REPORT"
