#!/usr/bin/env bash
# Throughput and memory of the DataFusion route (survey_moments and survey_ols_qr over Parquet
# partitions) against polars computing the same covariance matrix from the same files, in the
# same run. Usage:
#   benches/datafusion_moments.sh [ROWS] [COLS] [FILES] [DIR] [--compare]
# Defaults: 1e7 rows, 30 columns, 16 files (= partitions), DIR=/tmp/sdf_ROWSxCOLS. The data
# (a two-factor model on c1–c8 plus correlated normal columns) is written once with numpy and
# polars from a fixed seed. --compare also fits α, KMO, EFA, a CFA and OLS in memory and prints
# the largest relative differences (needs 8 bytes per cell of memory).
# Needs the Python in PEERS_PY (default /work/venv/bin/python, with polars and numpy) and
# /usr/bin/time.
set -euo pipefail
rows=${1:-10000000}
cols=${2:-30}
files=${3:-16}
dir=${4:-/tmp/sdf_${rows}x${cols}}
compare=${5:-}
py=${PEERS_PY:-/work/venv/bin/python}
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$dir/.complete" ]; then
  mkdir -p "$dir"
  "$py" - "$rows" "$cols" "$files" "$dir" <<'PY'
import sys
import numpy as np
import polars as pl
rows, cols, files, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(20261207)
lam = np.array([0.8, 0.7, 0.6, 0.75, 0.7, 0.65, 0.8, 0.6])
for f in range(files):
    n = rows * (f + 1) // files - rows * f // files
    f1 = rng.standard_normal(n)
    f2 = 0.3 * f1 + np.sqrt(1 - 0.09) * rng.standard_normal(n)
    x = np.empty((n, cols))
    for j in range(cols):
        if j < 8:
            fac = f1 if j < 4 else f2
            x[:, j] = 3 + lam[j] * fac + np.sqrt(1 - lam[j] ** 2) * rng.standard_normal(n)
        else:
            x[:, j] = 0.2 * x[:, j % 8] + rng.standard_normal(n)
    pl.DataFrame({f"c{j + 1}": x[:, j] for j in range(cols)}).write_parquet(
        f"{out}/part-{f:03d}.parquet", row_group_size=1 << 20)
PY
  touch "$dir/.complete"
fi
cargo build --release --manifest-path "$root/Cargo.toml" -p surveystat-datafusion \
  --features parquet --example datafusion_moments >/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/datafusion_moments"
cores=$(nproc)
echo "rows=$rows cols=$cols files=$files cores=$cores load=$(cut -d' ' -f1 /proc/loadavg)"
/usr/bin/time -v "$bin" "$dir" "$files" --cov-out /tmp/sdf_cov.csv $compare 2> /tmp/sdf_time.txt
echo "surveystat-datafusion peak RSS: $(grep 'Maximum resident' /tmp/sdf_time.txt | awk '{print $6}') kB"
/usr/bin/time -v "$py" - "$dir" "$rows" "$cores" <<'PY' 2> /tmp/sdf_polars_time.txt
import sys, time
import numpy as np
import polars as pl
t = time.perf_counter()
df = pl.read_parquet(f"{sys.argv[1]}/*.parquet")
x = df.to_numpy().astype("float64")
x = x - x.mean(axis=0)
c = x.T @ x / (x.shape[0] - 1)
s = time.perf_counter() - t
rows, cores = int(sys.argv[2]), int(sys.argv[3])
print(f"polars read_parquet + covariance: {s:.3f} s, {rows / s / cores:.0f} rows/s/core")
ours = np.loadtxt("/tmp/sdf_cov.csv", delimiter=",", ndmin=2)
print(f"covariance: largest relative difference from polars/numpy {np.max(np.abs(ours - c) / np.abs(c).max()):.2e}")
PY
echo "polars peak RSS: $(grep 'Maximum resident' /tmp/sdf_polars_time.txt | awk '{print $6}') kB"
