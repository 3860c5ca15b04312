#!/usr/bin/env bash
# Render benchmark (issue 10): the time and memory of one render of a 1 KB template with 6 variables
# (JSON variables turned into the engine's data, then rendered), this checkout against a baseline commit,
# in alternating rounds of one process each. Prints a Markdown table and writes it to
# bench/results/render-<time>.md.
# BASELINE=<commit> (default 7d3fc6c: main before Scriban, on Handlebars.Net) · ROUNDS (3) · RENDERS (200000 per process)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BASELINE=${BASELINE:-7d3fc6c}
ROUNDS=${ROUNDS:-3}
RENDERS=${RENDERS:-200000}
RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"
WORK=$(mktemp -d)
cleanup() {
  git -C "$ROOT" worktree remove --force "$WORK/baseline" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "Building the baseline ($BASELINE) and this checkout in Release…" >&2
git -C "$ROOT" worktree add --detach "$WORK/baseline" "$BASELINE" >/dev/null 2>&1
# The renderer is internal: the baseline's project is told to show it to the bench, as this checkout's does.
grep -q 'InternalsVisibleTo Include="RenderBench"' "$WORK/baseline/src/PromptHub/PromptHub.csproj" ||
  sed -i 's|<InternalsVisibleTo Include="PromptHub.Tests" />|&<InternalsVisibleTo Include="RenderBench" />|' "$WORK/baseline/src/PromptHub/PromptHub.csproj"
mkdir -p "$WORK/baseline/bench/RenderBench"
cp bench/RenderBench/Program.cs bench/RenderBench/RenderBench.csproj "$WORK/baseline/bench/RenderBench/"
DEFINES=""
grep -q 'Include="Handlebars.Net"' "$WORK/baseline/Directory.Packages.props" && DEFINES="-p:DefineConstants=HANDLEBARS"
dotnet build "$WORK/baseline/bench/RenderBench" -c Release $DEFINES -o "$WORK/out-baseline" -nologo -v q >&2
dotnet build bench/RenderBench -c Release -o "$WORK/out-current" -nologo -v q >&2

# Alternating rounds: the machine's speed drifts (and it may be shared), so each round measures both.
LINES=()
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS…" >&2
  LINES+=("baseline $(dotnet "$WORK/out-baseline/RenderBench.dll" "$RENDERS")")
  LINES+=("current $(dotnet "$WORK/out-current/RenderBench.dll" "$RENDERS")")
done

STAMP=$(date -u +%Y-%m-%dT%H:%MZ)
REPORT="$RESULTS/render-$(date -u +%Y%m%dT%H%M%S).md"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
cat > "$WORK/table.py" <<'PY'
import statistics, sys
stamp, baseline, commit, rounds, renders = sys.argv[1:6]
rows = {}
for line in sys.stdin:
    side, engine, template, output, p50, p99, allocated = line.split()
    row = rows.setdefault(side, {"engine": engine, "template": template, "p50": [], "p99": [], "bytes": []})
    row["p50"].append(float(p50))
    row["p99"].append(float(p99))
    row["bytes"].append(float(allocated))
print(f"Render benchmark, {stamp}, {renders} renders per process, {rounds} alternating rounds (baseline, then this checkout), "
      f"a template of {rows['current']['template']} characters with 6 variables; means of the rounds, each round in brackets.")
print()
print("| build | engine | p50 µs | p99 µs | bytes per render |")
print("| --- | --- | ---: | ---: | ---: |")
for side, name in (("baseline", f"baseline {baseline}"), ("current", f"this checkout {commit}")):
    r = rows[side]
    each = lambda key: " / ".join(f"{v:.2f}" for v in r[key])
    print(f"| {name} | {r['engine']} | {statistics.mean(r['p50']):.2f} ({each('p50')}) | {statistics.mean(r['p99']):.2f} ({each('p99')}) | "
          f"{statistics.mean(r['bytes']):,.0f} |")
PY
printf '%s\n' "${LINES[@]}" | python3 "$WORK/table.py" "$STAMP" "$BASELINE" "$COMMIT" "$ROUNDS" "$RENDERS" | tee "$REPORT"
