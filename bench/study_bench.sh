#!/usr/bin/env bash
# The 20-trial MNIST study of bench/study_bench.json in ajuste (deno task tune, a fresh database
# each time) against Optuna 3.1 + PyTorch (bench/study_bench.py, Debian's /usr/bin/python3) on the
# same 20 configurations, in rounds: each round runs every side once, one after the other, so a
# neighbour's load falls on all alike. Each side's wall time is the whole command, process start
# to exit, beside the CPU time it used (on a loaded machine a side running two processes gets a
# bigger share of the cores than a side running one: the CPU time shows the work done). bench/README.md ("A 20-trial study on one machine") has the figures.
#
#   ROUNDS=3 SIDES="ajuste optuna1 optuna2" bash bench/study_bench.sh
#
# STUDY: another study file for the ajuste side (its trials must match bench/study_bench.py's
# objective to compare with Optuna), e.g. one with "device": "gpu" on a GPU machine, to measure
# whether trials at once pay there: SIDES="ajuste1 ajuste2".
#
# SIDES, of:
#   ajuste      deno task tune with the study's parallel ("auto": chosen from the cores)
#   ajuste1     the same with --parallel 1 (one trial at a time)
#   ajuste2     the same with --parallel 2
#   optuna1     Optuna n_jobs=1, PyTorch on its default threads (on the 2-core box of
#               bench/README.md, 1: its OpenMP reports one thread)
#   optuna1t2   Optuna n_jobs=1, PyTorch on 2 threads (torch.set_num_threads(2))
#   optuna2     Optuna n_jobs=2, PyTorch on one thread per trial
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
sides=${SIDES:-ajuste optuna1 optuna2}
out=${OUT_DIR:-bench/results/study}
mkdir -p "$out"
params="$out/params.json"
deno run --allow-read bench/study_bench_params.ts bench/study_bench.json >"$params" || exit 1

# run NAME ROUND COMMAND…: times COMMAND (wall, and the CPU seconds of it and the processes it
# waited for, by /usr/bin/time), its output in a log; one line per run in times.tsv: name, round,
# wall s, user+sys CPU s, the load average before.
run() {
  local name=$1 round=$2
  shift 2
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f "%e %U %S" -o "$out/${name}_$round.time" "$@" >"$out/${name}_$round.log" 2>&1 ||
    echo "== $name failed: $(tail -n 3 "$out/${name}_$round.log")"
  local wall cpu
  read -r wall user sys <"$out/${name}_$round.time"
  cpu=$(echo "$user + $sys" | bc)
  echo "== round $round: $name ${wall} s, ${cpu} CPU s (load before: $load)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$wall" "$cpu" "$load" >>"$out/times.tsv"
}

tune=(deno task tune "${STUDY:-bench/study_bench.json}" --db "file:$out/ajuste.db" --json)
optuna=(/usr/bin/python3 bench/study_bench.py "$params")

for round in $(seq 1 "$rounds"); do
  for name in $sides; do
    case $name in
      ajuste) rm -f "$out/ajuste.db" && run "$name" "$round" "${tune[@]}" ;;
      ajuste1) rm -f "$out/ajuste.db" && run "$name" "$round" "${tune[@]}" --parallel 1 ;;
      ajuste2) rm -f "$out/ajuste.db" && run "$name" "$round" "${tune[@]}" --parallel 2 ;;
      optuna1) run "$name" "$round" "${optuna[@]}" --n-jobs 1 ;;
      optuna2) run "$name" "$round" "${optuna[@]}" --n-jobs 2 --threads 1 ;;
      optuna1t2) run "$name" "$round" "${optuna[@]}" --n-jobs 1 --threads 2 ;;
      *) echo "Unknown side \"$name\"" && exit 2 ;;
    esac
  done
done
# Median wall time and CPU time per side over the rounds.
median() { sort -g | awk '{ a[NR] = $1 } END { printf "%.1f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for name in $sides; do
  rows=$(grep -cP "^$name\t" "$out/times.tsv")
  echo "$name: median $(grep -P "^$name\t" "$out/times.tsv" | cut -f3 | median) s wall," \
    "$(grep -P "^$name\t" "$out/times.tsv" | cut -f4 | median) CPU s, over $rows runs"
done
