#!/usr/bin/env bash
# Load-independent counts of whole `surveystat` processes, for before/after comparisons on a busy
# machine (wall times belong to the timing scripts on a quiet one): callgrind instructions (all
# threads), minor page faults and peak memory (GNU time), and system calls (strace -c -f).
# Workloads: `--version` (process start alone), the three SEM models of sem_speed.sh, ω on the
# 25 bfi items (omega_speed.sh), and the logistic GLM of glm.sh on its first 1e5 rows.
# usage: benches/counts.sh [path/to/surveystat]   (needs valgrind, strace, GNU time; R for the GLM file)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$root/target/release/surveystat}
data=${SEM_DATA:-/work/shared/reference/data}
models=${SEM_MODELS:-/work/shared/tools}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
glm_full=${TMPDIR:-/tmp}/glm_1000000x20.csv
[ -s "$glm_full" ] || "$root/benches/glm.sh" "$cli" > /dev/null
head -100001 "$glm_full" > "$tmp/glm.csv"
form="y ~ $(head -1 "$tmp/glm.csv" | tr -d '"' | cut -d, -f2- | sed 's/,/ + /g')"
bfi=$root/tests/fixtures/data/bfi25_listwise.csv
items=$(head -1 "$bfi" | cut -d, -f2- | tr -d '"')
run() { # name, command...
  local nm=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$tmp/$nm.cg" "$@" > /dev/null 2> "$tmp/$nm.err"
  local ir; ir=$(grep -m1 '^summary:' "$tmp/$nm.cg" | awk '{print $2}')
  /usr/bin/time -o "$tmp/$nm.tm" -f '%R %M' "$@" > /dev/null 2>&1
  local tm; tm=$(tail -1 "$tmp/$nm.tm")
  local sc; sc=$(strace -c -f -o "$tmp/$nm.st" "$@" > /dev/null 2>&1; awk '$NF == "total" {print $(NF-2)}' "$tmp/$nm.st")
  printf '%-8s %15s %12s %12s %10s\n' "$nm" "$ir" "${tm%% *}" "${tm##* }" "$sc"
}
printf '%-8s %15s %12s %12s %10s\n' run instructions minor_faults peak_KB syscalls
run version "$cli" --version
run hs "$cli" sem --data "$data/HolzingerSwineford1939.csv" --model "$models/hs.lav" --json
run bfi "$cli" sem --data "$data/bfi25_listwise.csv" --model "$models/bfi.lav" --json
run study "$cli" sem --data "$data/study_survey.csv" --model "$models/study.lav" --json
run omega "$cli" omega --data "$bfi" --items "$items" --factors 3 --json
run glm1e5 "$cli" glm --data "$tmp/glm.csv" --family binomial --formula "$form" --no-lr-tests --json
