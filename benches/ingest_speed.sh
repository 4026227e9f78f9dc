#!/usr/bin/env bash
# Load-independent measures of CSV ingestion plus `surveystat alpha` (the wall times of
# benches/ingest.sh need a quiet machine; these do not):
#   1. CPU time (user + sys), peak memory and minor page faults of the whole `surveystat alpha`
#      on the seeded 1e6 x 30 Likert CSV (made by benches/ingest.sh),
#   2. the instruction count (valgrind callgrind, one thread) on its first 100 000 rows, with the
#      functions that execute most of them.
# usage: benches/ingest_speed.sh [path/to/surveystat]   (build first: cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-target/release/surveystat}
f=${TMPDIR:-/tmp}/likert_1e6x30.csv
[ -s "$f" ] || { echo "run benches/ingest.sh once to create $f" >&2; exit 1; }
items=$(head -1 "$f")
for _ in 1 2 3; do
  /usr/bin/time -f "alpha 1e6 x 30: %U s user + %S s sys, %M KB peak, %R minor faults" \
    "$cli" alpha --data "$f" --items "$items" --json >/dev/null
done
head=$(mktemp --suffix=.csv); out=$(mktemp)
trap 'rm -f "$head" "$out"' EXIT
head -100001 "$f" >"$head"
RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
  "$cli" alpha --data "$head" --items "$items" --json >/dev/null 2>&1
callgrind_annotate "$out" 2>/dev/null | grep -E "PROGRAM TOTALS|^ *[0-9,]+ \(" | head -12
