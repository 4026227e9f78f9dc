#!/usr/bin/env bash
# CSV ingestion: a seeded 1e6 x 30 Likert CSV (60 MB). Times and peak memory of
#   1. surveystat reading alone (`kmo` on two items: the read dominates),
#   2. the whole `surveystat alpha` on all 30 items,
#   3. polars and pandas reading the same file into a float matrix (best of 3), same run.
# usage: benches/ingest.sh [path/to/surveystat]   (build first: cargo build --release)
# Needs python3; polars/pandas from $PEERS_PY (default /work/venv/bin/python) if present.
# Run it on a quiet machine: times on a loaded machine mean little; peak memory does not depend
# on the load.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-target/release/surveystat}; py=${PEERS_PY:-/work/venv/bin/python}
f=${TMPDIR:-/tmp}/likert_1e6x30.csv
[ -s "$f" ] || python3 - "$f" <<'PY'
import random, sys
random.seed(20261207)
with open(sys.argv[1], "w") as out:
    out.write(",".join(f"q{j+1}" for j in range(30)) + "\n")
    for _ in range(1_000_000):
        t = random.gauss(0, 1)
        out.write(",".join(str(min(5, max(1, round(3 + 0.8 * t + random.gauss(0, 0.9))))) for _ in range(30)) + "\n")
PY
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); f64 matrix = 240 000 000 bytes"
items=$(head -1 "$f")
/usr/bin/time -f "surveystat read (kmo q1,q2): %e s wall, %M KB peak" \
  "$cli" kmo --data "$f" --items q1,q2 --json >/dev/null
/usr/bin/time -f "surveystat alpha (30 items): %e s wall, %M KB peak" \
  "$cli" alpha --data "$f" --items "$items" --json >/dev/null
if [ -x "$py" ]; then
"$py" - "$f" <<'PY'
import sys, time
f = sys.argv[1]
peers = []
try:
    import polars as pl; peers.append(("polars", lambda: pl.read_csv(f).to_numpy()))
except ImportError: pass
try:
    import pandas as pd; peers.append(("pandas", lambda: pd.read_csv(f).to_numpy(dtype=float)))
except ImportError: pass
for name, fn in peers:
    ts = []
    for _ in range(3):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    print(f"{name} read: {min(ts):.2f} s (best of 3)")
PY
fi
