#!/usr/bin/env bash
# Instruction counts (callgrind, load-independent) of the whole `surveystat sem ... --json` process
# on the three models of docs/BENCHMARKS.md. Wall time stays with the timing scripts; this one is
# for comparing before/after on a loaded machine.
# usage: benches/sem_instructions.sh [path/to/surveystat] [callgrind output dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$root/target/release/surveystat}
out=${2:-}
data=${SEM_DATA:-/work/shared/reference/data}
models=${SEM_MODELS:-/work/shared/tools}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '%-6s %15s\n' model instructions
for pair in hs:HolzingerSwineford1939 bfi:bfi25_listwise study:study_survey; do
  nm=${pair%%:*}; csv=${pair#*:}
  valgrind --tool=callgrind --callgrind-out-file="$tmp/$nm.cg" \
    "$cli" sem --data "$data/$csv.csv" --model "$models/$nm.lav" --json > "$tmp/$nm.json" 2> "$tmp/$nm.err"
  ir=$(grep -m1 '^summary:' "$tmp/$nm.cg" | awk '{print $2}')
  printf '%-6s %15s\n' "$nm" "$ir"
  if [ -n "$out" ]; then mkdir -p "$out"; cp "$tmp/$nm.cg" "$tmp/$nm.json" "$out/"; fi
done
