#!/usr/bin/env bash
# Runs Langfuse's JavaScript SDK against a real PromptHub: installs the SDK at the version the lock file
# pins (npm ci), starts PromptHub as `dotnet run` does (its own embedded PostgreSQL, in a temporary
# directory), runs langfuse-sdk.test.mjs, and stops PromptHub again. Usage: run.sh [counts-file]
# The test prints "N passed, N failed"; with a counts file, "passed failed" is written there too.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
counts="${1:-}"
work="$(mktemp -d)"
app_pid=""

stop_app() {
    if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
        kill -TERM "$app_pid" 2>/dev/null || true
        # PromptHub stops its embedded PostgreSQL on the way out; give it the time to.
        for _ in $(seq 1 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$app_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_app EXIT

for tool in node npm curl dotnet; do
    command -v "$tool" >/dev/null 2>&1 || { echo "The Langfuse SDK test needs '$tool' on PATH."; exit 1; }
done

echo "Installing Langfuse's SDK (package-lock.json)…"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

echo "Building and starting PromptHub…"
dotnet build "$root/src/PromptHub.Api" -c Debug -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
admin_key="phk_sdk-test-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(
    cd "$root/src/PromptHub.Api/bin/Debug/net10.0"
    export ASPNETCORE_ENVIRONMENT=Production
    export PromptHub__BootstrapAdminKey="$admin_key"
    export PromptHub__SeedExamples=false
    export PromptHub__EmbeddedDatabase__DataDirectory="$work/pg"
    export PromptHub__RateLimits__Admin__Burst=10000
    export ConnectionStrings__PromptHub=""
    exec dotnet PromptHub.Api.dll --urls "http://127.0.0.1:$port"
) >"$work/app.log" 2>&1 &
app_pid=$!

url="http://127.0.0.1:$port"
for _ in $(seq 1 240); do
    if curl -fsS "$url/health/ready" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$app_pid" 2>/dev/null; then echo "PromptHub stopped before it was ready:"; tail -n 40 "$work/app.log"; exit 1; fi
    sleep 0.5
done
curl -fsS "$url/health/ready" >/dev/null 2>&1 || { echo "PromptHub was not ready after 120 s:"; tail -n 40 "$work/app.log"; exit 1; }

status=0
# The SDK logs the 404s the test provokes on purpose as errors; LANGFUSE_LOG_LEVEL=ERROR shows them.
(cd "$here" && LANGFUSE_LOG_LEVEL="${LANGFUSE_LOG_LEVEL:-NONE}" PROMPTHUB_URL="$url" PROMPTHUB_ADMIN_KEY="$admin_key" COUNTS_FILE="$counts" node langfuse-sdk.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
    echo "PromptHub's log (last lines):"
    tail -n 30 "$work/app.log"
fi
exit "$status"
