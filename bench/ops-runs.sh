#!/usr/bin/env bash
# Ops runs benchmark (issue 8): how fast `GET /api/v1/ops/runs` answers with 1,000 and with 100,000 runs
# in Hangfire's tables, for each filter ops use, with Hangfire's own dashboard listing of succeeded jobs
# (`/hangfire/jobs/succeeded`) timed in the same run as the baseline. The runs are written straight into
# `hangfire.job/state/jobparameter` in the shape real runs have (one real roll-up run is made first and
# its invocation copied), 5% failed with an exception, spread 30 s apart over the past.
# Prints a Markdown table and writes it to bench/results/ops-runs-<time>.md.
# Usage: bench/ops-runs.sh [requests per measure, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REQUESTS=${1:-30}
RESULTS="$ROOT/bench/results"
DATA="$RESULTS/pg-ops-runs"
APP_PORT=5186
BASE="http://127.0.0.1:$APP_PORT"
ADMIN_KEY="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
APP_PID=

stop_app() { if [ -n "$APP_PID" ]; then kill -TERM "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi; }
trap stop_app EXIT

echo "== building (Release)"
mkdir -p "$RESULTS"
dotnet publish src/PromptHub.Api -c Release -o "$RESULTS/app" --nologo -v quiet >/dev/null

rm -rf "$DATA" "$DATA.password"
(cd "$RESULTS/app" && exec env ASPNETCORE_ENVIRONMENT=Production PromptHub__EmbeddedDatabase__DataDirectory="$DATA" \
    PromptHub__BootstrapAdminKey="$ADMIN_KEY" PromptHub__SeedExamples=false \
    PromptHub__RateLimits__Admin__PermitsPerSecond=100000 PromptHub__RateLimits__Admin__Burst=100000 \
    dotnet PromptHub.Api.dll --urls "$BASE" >"$RESULTS/ops-runs-app.log" 2>&1) &
APP_PID=$!
for _ in $(seq 1 120); do curl -sf "$BASE/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "$BASE/health/ready" >/dev/null || { echo "the app did not start; see $RESULTS/ops-runs-app.log" >&2; exit 1; }

PG_PORT=$(grep -o 'listening on 127.0.0.1:[0-9][0-9]*' "$RESULTS/ops-runs-app.log" | head -1 | cut -d: -f2)
export PGPASSWORD; PGPASSWORD=$(cat "$DATA.password")
sql() { psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U prompthub prompthub "$@"; }
api() { curl -sf -H "Authorization: Bearer $ADMIN_KEY" "$@"; }

# One real run, so the copied rows look exactly like Hangfire's own.
api -X POST "$BASE/api/v1/ops/jobs/analytics-daily-aggregation/trigger" >/dev/null
for _ in $(seq 1 60); do [ "$(sql -tAc "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded'")" -ge 1 ] && break; sleep 0.5; done
JOBS=$(api "$BASE/api/v1/ops/jobs" | python3 -c 'import json,sys; print(",".join("'\''%s'\''" % j["id"] for j in json.load(sys.stdin)))')

seed() { # total runs wanted
  sql -v total="$1" <<SQL
INSERT INTO hangfire.job (statename, invocationdata, arguments, createdat)
SELECT CASE WHEN g % 20 = 0 THEN 'Failed' ELSE 'Succeeded' END,
       (SELECT invocationdata FROM hangfire.job ORDER BY id LIMIT 1), '[null]', now() - make_interval(secs => g * 30)
FROM generate_series((SELECT count(*) FROM hangfire.job) + 1, :total) g;
INSERT INTO hangfire.state (jobid, name, createdat, data)
SELECT id, 'Enqueued', createdat, jsonb_build_object('Queue', 'default', 'EnqueuedAt', (extract(epoch FROM createdat) * 1000)::bigint::text) FROM hangfire.job WHERE stateid IS NULL;
INSERT INTO hangfire.state (jobid, name, createdat, data)
SELECT id, 'Processing', createdat + interval '40 ms',
       jsonb_build_object('ServerId', 'bench:1', 'WorkerId', 'w1', 'StartedAt', (extract(epoch FROM createdat) * 1000 + 40)::bigint::text) FROM hangfire.job WHERE stateid IS NULL;
INSERT INTO hangfire.state (jobid, name, reason, createdat, data)
SELECT id, statename, CASE WHEN statename = 'Failed' THEN 'Retry attempts exceeded' END, createdat + interval '2 s',
       CASE WHEN statename = 'Failed'
            THEN jsonb_build_object('FailedAt', (extract(epoch FROM createdat) * 1000 + 2000)::bigint::text, 'ExceptionType', 'System.InvalidOperationException',
                                    'ExceptionMessage', 'bench failure', 'ExceptionDetails', 'System.InvalidOperationException: bench failure')
            ELSE jsonb_build_object('SucceededAt', (extract(epoch FROM createdat) * 1000 + 2000)::bigint::text, 'Result', '"ok"',
                                    'Latency', '40', 'PerformanceDuration', '1960') END
FROM hangfire.job WHERE stateid IS NULL;
INSERT INTO hangfire.jobparameter (jobid, name, value)
SELECT id, 'Job', to_json((ARRAY[$JOBS])[1 + id % cardinality(ARRAY[$JOBS])])::text FROM hangfire.job WHERE stateid IS NULL;
INSERT INTO hangfire.jobparameter (jobid, name, value) SELECT id, 'RetryCount', '3' FROM hangfire.job WHERE stateid IS NULL AND statename = 'Failed';
UPDATE hangfire.job j SET stateid = s.id FROM hangfire.state s WHERE j.stateid IS NULL AND s.jobid = j.id AND s.name = j.statename;
ANALYZE hangfire.job; ANALYZE hangfire.state; ANALYZE hangfire.jobparameter;
SQL
}

# p50, p95 and max in ms of $REQUESTS sequential requests (after 3 warm-up requests).
measure() { # rows, label, url
  local rows=$1 label=$2 url=$3
  for _ in 1 2 3; do api -o /dev/null "$url" || { echo "$url answered an error" >&2; exit 1; }; done
  for _ in $(seq 1 "$REQUESTS"); do api -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n | awk -v rows="$rows" -v label="$label" '
    { t[NR] = $1 * 1000 }
    END { printf "| %s | %s | %d | %.1f | %.1f | %.1f |\n", rows, label, NR, t[int((NR + 1) * 0.5)], t[int(NR * 0.95 + 0.5)], t[NR] }'
}

HOUR_FROM=$(date -u -d '-30 hours' +%Y-%m-%dT%H:00:00Z)
HOUR_TO=$(date -u -d '-29 hours' +%Y-%m-%dT%H:00:00Z)
RAW="$RESULTS/ops-runs-raw.txt"
: >"$RAW"
for rows in 1000 100000; do
  echo "== $rows runs"
  seed "$rows"
  {
    measure "$rows" "runs, newest page (50)" "$BASE/api/v1/ops/runs?pageSize=50"
    measure "$rows" "runs, job filter" "$BASE/api/v1/ops/runs?job=analytics-daily-aggregation&pageSize=50"
    measure "$rows" "runs, state=failed" "$BASE/api/v1/ops/runs?state=failed&pageSize=50"
    measure "$rows" "runs, one-hour window" "$BASE/api/v1/ops/runs?from=$HOUR_FROM&to=$HOUR_TO&pageSize=50"
    measure "$rows" "runs, page 10 (50)" "$BASE/api/v1/ops/runs?page=10&pageSize=50"
    measure "$rows" "baseline: Hangfire's Succeeded page (20)" "$BASE/hangfire/jobs/succeeded"
  } | tee -a "$RAW"
done

{
  echo "| runs in storage | request | n | p50 ms | p95 ms | max ms |"
  echo "| ---: | --- | ---: | ---: | ---: | ---: |"
  cat "$RAW"
} | tee "$RESULTS/ops-runs-$(date +%Y%m%d-%H%M%S).md"
