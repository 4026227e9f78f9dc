#!/usr/bin/env bash
# Logistic regression on 1e6 x 20 (19 standard normal predictors + intercept; y ~ Bernoulli of
# a logit-linear mean), seeded. Same run, same CSV:
#   1. R 4.2.2 `glm(family = binomial)` on the data frame already in memory (the fit alone,
#      median of 3, plus read.csv once for reference),
#   2. `surveystat glm` end to end: reading the CSV, building the model matrix, IRLS, sandwich
#      covariance (median of 3; `--no-lr-tests`, since glm does not run drop1 either), and once
#      more with the likelihood-ratio tests of every term.
# usage: benches/glm.sh [path/to/surveystat] [n]   (build first: cargo build --release)
# Run it on a quiet machine: times on a loaded machine mean little.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-target/release/surveystat}; n=${2:-1000000}
f=${TMPDIR:-/tmp}/glm_${n}x20.csv
[ -s "$f" ] || Rscript -e '
  args <- commandArgs(TRUE); n <- as.integer(args[1]); set.seed(20261207)
  X <- matrix(rnorm(n * 19), n, 19, dimnames = list(NULL, paste0("x", 1:19)))
  beta <- seq(-0.5, 0.5, length.out = 19)
  y <- rbinom(n, 1, plogis(-0.3 + drop(X %*% beta)))
  write.csv(data.frame(y = y, X), args[2], row.names = FALSE)' "$n" "$f"
form="y ~ $(head -1 "$f" | tr -d '"' | cut -d, -f2- | sed 's/,/ + /g')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); n = $n, formula: $form"
Rscript -e '
  args <- commandArgs(TRUE)
  t0 <- system.time(d <- read.csv(args[1]))[["elapsed"]]
  fo <- as.formula(args[2])
  st <- replicate(3, system.time(glm(fo, data = d, family = binomial)))
  t <- st["elapsed", ]; cpu <- st["user.self", ] + st["sys.self", ]
  m <- glm(fo, data = d, family = binomial)
  cat(sprintf("R read.csv: %.3f s; R glm fit (median of 3): %.3f s [%s], %d iterations\n",
              t0, median(t), paste(sprintf("%.3f", t), collapse = " "), m$iter))
  cat(sprintf("R glm fit CPU user+sys (median of 3): %.3f s\n", median(cpu)))
  cat(sprintf("R deviance %.10f\n", deviance(m)))' "$f" "$form"
ts=()
for i in 1 2 3; do
  s=$(date +%s.%N)
  "$cli" glm --data "$f" --family binomial --formula "$form" --no-lr-tests --json > /tmp/glm_bench_out.json
  e=$(date +%s.%N); ts+=("$(echo "$e - $s" | bc)")
done
printf 'surveystat glm end to end (median of 3): %s s [%s]\n' \
  "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p)" "${ts[*]}"
python3 -c 'import json; d = json.load(open("/tmp/glm_bench_out.json")); print("surveystat deviance %.10f, %d iterations" % (d["deviance"], d["iterations"]))'
# CPU time (user + sys) is the fairer measure on a shared machine (R's fit is single-threaded).
/usr/bin/time -f "surveystat glm end to end CPU: %U s user + %S s sys, %M KB peak" \
  "$cli" glm --data "$f" --family binomial --formula "$form" --no-lr-tests --json >/dev/null
/usr/bin/time -f "surveystat glm with the LR test of every term: %e s wall, %M KB peak" \
  "$cli" glm --data "$f" --family binomial --formula "$form" --json >/dev/null
