#!/usr/bin/env bash
# Whole-process ordinal timing of the CLI against lavaan and psych (in-process), same run:
#   1. the study CFA (7 factors, 24 five-point items, n 612) with every item ordered, WLSMV:
#      `surveystat sem --ordered-all --json` against lavaan `cfa(ordered = items)` + fitMeasures;
#   2. the 24 × 24 polychoric matrix: `surveystat cor --method polychoric --json` against
#      lavaan `lavCor(ordered = items)` and psych `polychoric`.
# Medians of 15 (R: inside one R process, excluding start-up and reading).
# usage: benches/ordinal_speed.sh [path/to/surveystat]   (build first: cargo build --release)
# Run it on a quiet machine (load average below 1).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-target/release/surveystat}
d=$(mktemp -d)
cp ../shared/reference/data/study_survey.csv "$d/study.csv"
head -7 ../shared/tools/study.lav > "$d/cfa.lav"
items=$(grep -o '[A-Z][A-Z][0-9]' "$d/cfa.lav" | paste -sd, -)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
Rscript - "$d" "$items" <<'R'
suppressMessages({ library(lavaan); library(psych) })
args <- commandArgs(TRUE); d <- read.csv(file.path(args[1], "study.csv"))
items <- strsplit(args[2], ",")[[1]]; m <- paste(readLines(file.path(args[1], "cfa.lav")), collapse = "\n")
med <- function(f) { f(); t <- replicate(15, system.time(f())[["elapsed"]]); 1000 * median(t) }
cat(sprintf("lavaan cfa WLSMV: %.1f ms\n", med(function() fitMeasures(cfa(m, d, ordered = items)))))
cat(sprintf("lavaan lavCor polychoric: %.1f ms\n", med(function() lavCor(d[items], ordered = items))))
cat(sprintf("psych polychoric: %.1f ms\n", med(function() polychoric(d[items]))))
R
python3 - "$cli" "$d" "$items" <<'PY'
import statistics, subprocess, sys, time
cli, d, items = sys.argv[1:4]
cmds = {
    "surveystat sem WLSMV": [cli, "sem", "--data", f"{d}/study.csv", "--model", f"{d}/cfa.lav",
                             "--ordered", items, "--json"],
    "surveystat cor polychoric": [cli, "cor", "--data", f"{d}/study.csv", "--items", items,
                                  "--method", "polychoric", "--json"],
}
for name, cmd in cmds.items():
    subprocess.run(cmd, capture_output=True, check=True)
    ts = []
    for _ in range(15):
        t = time.perf_counter(); subprocess.run(cmd, capture_output=True, check=True); ts.append(time.perf_counter() - t)
    print(f"{name}: {1000 * statistics.median(ts):.2f} ms")
PY
rm -rf "$d"
