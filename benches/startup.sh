#!/usr/bin/env bash
# Load-independent counts of the whole `surveystat` process for the four start-up-bound commands:
# `--version` (process start alone), `alpha` on x1-x3 of HolzingerSwineford1939 (301 x 3), the
# HolzingerSwineford CFA (`sem`) and omega on the 25 bfi items (2 436 complete rows, 3 factors).
# Columns: callgrind instructions (all threads), minor page faults and peak resident memory (GNU
# time), system calls (strace -c -f). Wall times belong to sem_speed.sh / omega_speed.sh on a
# quiet machine; these counts compare builds on a busy one.
# usage: benches/startup.sh [path/to/surveystat] [callgrind output dir]
#   (needs valgrind, strace and GNU time at /usr/bin/time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$root/target/release/surveystat}
out=${2:-}
data=${SEM_DATA:-/work/shared/reference/data}
models=${SEM_MODELS:-/work/shared/tools}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
hs=$data/HolzingerSwineford1939.csv
printf 'visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n' > "$tmp/hs.lav"
[ -s "$models/hs.lav" ] && cp "$models/hs.lav" "$tmp/hs.lav"
bfi=$root/tests/fixtures/data/bfi25_listwise.csv
items=$(head -1 "$bfi" | cut -d, -f2- | tr -d '"')
run() { # name, command...
  local nm=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$tmp/$nm.cg" "$@" > /dev/null 2> "$tmp/$nm.err"
  local ir; ir=$(grep -m1 '^summary:' "$tmp/$nm.cg" | awk '{print $2}')
  # Minimum of five runs: page faults vary a little with address-space layout.
  local best=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -o "$tmp/$nm.tm" -f '%R %M' "$@" > /dev/null 2>&1
    local f; f=$(tail -1 "$tmp/$nm.tm")
    if [ -z "$best" ] || [ "${f%% *}" -lt "${best%% *}" ]; then best=$f; fi
  done
  strace -c -f -o "$tmp/$nm.st" "$@" > /dev/null 2>&1
  local sc; sc=$(awk '$NF == "total" {print $(NF-2)}' "$tmp/$nm.st")
  printf '%-8s %13s %12s %9s %9s\n' "$nm" "$ir" "${best%% *}" "${best##* }" "$sc"
  if [ -n "$out" ]; then mkdir -p "$out"; cp "$tmp/$nm.cg" "$tmp/$nm.st" "$out/"; fi
}
printf '%-8s %13s %12s %9s %9s\n' run instructions minor_faults peak_KB syscalls
run version "$cli" --version
run alpha "$cli" alpha --data "$hs" --items x1,x2,x3 --json
run sem "$cli" sem --data "$hs" --model "$tmp/hs.lav" --json
run omega "$cli" omega --data "$bfi" --items "$items" --factors 3 --json
