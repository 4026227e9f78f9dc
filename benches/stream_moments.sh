#!/usr/bin/env bash
# Throughput of the streamed moments route against polars computing the same covariance matrix,
# in the same run, interleaved, medians of N runs. Usage:
#   benches/stream_moments.sh FILE.csv [N]      (FILE: a header row and numeric columns only)
# Needs target/release/surveystat and a Python with polars (PEERS_PY, default python3).
set -euo pipefail
file=$1
runs=${2:-5}
py=${PEERS_PY:-python3}
bin="$(dirname "$0")/../target/release/surveystat"
items=$(head -1 "$file" | tr -d '\r')
rows=$(($(wc -l < "$file") - 1))
ours=()
peer=()
for _ in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$bin" alpha --data "$file" --items "$items" --missing listwise --stream --json > /dev/null
  e=$(date +%s.%N)
  ours+=("$(echo "$e - $s" | bc -l)")
  peer+=("$("$py" - "$file" <<'PY'
import sys, time
import polars as pl
t = time.perf_counter()
df = pl.read_csv(sys.argv[1])
x = df.to_numpy().astype("float64")
x = x - x.mean(axis=0)
c = x.T @ x / (x.shape[0] - 1)
print(time.perf_counter() - t)
PY
)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}")
mp=$(median "${peer[@]}")
cores=$(nproc)
echo "rows=$rows file=$file runs=$runs load=$(cut -d' ' -f1 /proc/loadavg)"
echo "surveystat alpha --stream (whole process): median ${mo}s, $(echo "$rows / $mo / $cores" | bc) rows/s/core"
echo "polars read_csv + covariance (in process): median ${mp}s, $(echo "$rows / $mp / $cores" | bc) rows/s/core"
echo "ratio polars/ours: $(echo "$mp / $mo" | bc -l | cut -c1-5)"
