#!/usr/bin/env bash
# Throughput and memory of the DataFusion route against polars computing the same covariance
# matrix from the same Parquet files, in the same run. Usage:
#   benches/datafusion_moments.sh [ROWS] [COLS] [FILES] [DIR] [--compare]
# Defaults: 1e7 rows, 30 Likert items, 16 files (= target partitions), DIR=/tmp/sdf_likert_ROWSxCOLS.
# The data is written once by benches/likert_parquet.py (fixed seed, row groups of 131 072 rows).
#
# Measured, each in its own process under /usr/bin/time -v (wall time of the computation as
# reported by the process itself, peak resident memory from time):
#   1. surveystat-datafusion (example datafusion_moments, release): survey_moments over all
#      COLS columns and survey_ols_qr over the first six, FILES target partitions, reading the
#      Parquet files through DataFusion;
#   2. polars: scan_parquet of the same files and the COLS × COLS covariance matrix as polars
#      expressions (pl.cov, ddof 1), collected once;
# and rows per second per core = rows / seconds / nproc for both, plus the largest difference
# between the two covariance matrices relative to the largest entry. --compare also runs the
# ignored test large_files_agree_with_the_in_memory_fits on the same files (α, KMO, EFA, CFA
# and OLS through DataFusion against the files read into memory: 8 bytes per cell of memory).
# Needs the Python in PEERS_PY (default /work/venv/bin/python, with numpy, pyarrow and polars)
# and /usr/bin/time. The example is built with `cargo build --release` into CARGO_TARGET_DIR
# (default target/) and needs the member's `parquet` feature.
set -euo pipefail
rows=${1:-10000000}
cols=${2:-30}
files=${3:-16}
dir=${4:-/tmp/sdf_likert_${rows}x${cols}}
compare=${5:-}
py=${PEERS_PY:-/work/venv/bin/python}
root="$(cd "$(dirname "$0")/.." && pwd)"
out=$(mktemp -d /tmp/sdf_bench.XXXXXX)
if [ ! -f "$dir/.complete" ]; then
  "$py" "$root/benches/likert_parquet.py" "$dir" "$rows" "$cols" "$files"
fi
cargo build --release --manifest-path "$root/Cargo.toml" -p surveystat-datafusion \
  --features parquet --example datafusion_moments >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/datafusion_moments"
cores=$(nproc)
echo "rows=$rows cols=$cols files=$files cores=$cores load=$(cut -d' ' -f1 /proc/loadavg) data=$(du -sh "$dir" | cut -f1)"

/usr/bin/time -v "$bin" "$dir" "$files" --cov-out "$out/cov.csv" 2> "$out/time_df.txt"
echo "surveystat-datafusion peak RSS: $(awk '/Maximum resident/ {print $6}' "$out/time_df.txt") kB"

/usr/bin/time -v "$py" - "$dir" "$rows" "$cores" "$out/cov.csv" <<'PY' 2> "$out/time_polars.txt"
import sys, time
import numpy as np
import polars as pl
d, rows, cores, ours = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lf = pl.scan_parquet(f"{d}/*.parquet")
names = lf.collect_schema().names()
p = len(names)
exprs = [pl.cov(names[i], names[j], ddof=1).alias(f"{i},{j}") for i in range(p) for j in range(i, p)]
t = time.perf_counter()
row = lf.select(exprs).collect().row(0)
s = time.perf_counter() - t
c = np.empty((p, p))
k = 0
for i in range(p):
    for j in range(i, p):
        c[i, j] = c[j, i] = row[k]
        k += 1
print(f"polars scan_parquet + covariance ({p} columns, {pl.thread_pool_size()} threads): "
      f"{s:.3f} s, {rows / s / cores:.0f} rows/s/core")
m = np.loadtxt(ours, delimiter=",", ndmin=2)
print(f"covariance: largest difference from polars relative to the largest entry "
      f"{np.max(np.abs(m - c)) / np.max(np.abs(c)):.2e}")
PY
echo "polars peak RSS: $(awk '/Maximum resident/ {print $6}' "$out/time_polars.txt") kB"

if [ "$compare" = "--compare" ]; then
  SURVEYSTAT_DF_DATA="$dir" cargo test --release --manifest-path "$root/Cargo.toml" \
    -p surveystat-datafusion --features parquet --test partitions -- --ignored --nocapture
fi
echo "load at the end=$(cut -d' ' -f1 /proc/loadavg)"
rm -rf "$out"
