#!/usr/bin/env bash
# ω (minres + oblimin + Schmid–Leiman, psych's defaults, 3 group factors) on the 25 bfi items,
# 2 436 complete rows: the whole `surveystat omega` process against psych::omega in the R session
# (data already read), same run, medians of 21 (interleaved rounds).
# usage: benches/omega_speed.sh [path/to/surveystat]   (build first: cargo build --release)
# Run it on a quiet machine (load average below 1).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-target/release/surveystat}
data=tests/fixtures/data/bfi25_listwise.csv
items=$(head -1 "$data" | cut -d, -f2- | tr -d '"')
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
  Rscript -e 'suppressMessages({library(psych); library(GPArotation)})
    x <- read.csv("'"$data"'")[, -1]
    invisible(omega(x, nfactors = 3, plot = FALSE))
    t <- replicate(21, system.time(suppressMessages(suppressWarnings(omega(x, nfactors = 3, plot = FALSE))))[["elapsed"]])
    cat(sprintf("psych::omega  median %.2f ms\n", 1000 * median(t)))'
  python3 - "$cli" "$data" "$items" <<'PY'
import statistics, subprocess, sys, time
cli, data, items = sys.argv[1:4]
cmd = [cli, "omega", "--data", data, "--items", items, "--factors", "3", "--json"]
subprocess.run(cmd, capture_output=True, check=True)
ts = []
for _ in range(21):
    t = time.perf_counter(); subprocess.run(cmd, capture_output=True, check=True); ts.append(time.perf_counter() - t)
print(f"surveystat omega (whole process) median {1000 * statistics.median(ts):.2f} ms")
PY
done
