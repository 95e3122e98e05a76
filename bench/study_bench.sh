#!/usr/bin/env bash
# The 20-trial MNIST study of bench/study_bench.json in ajuste (deno task tune, a fresh database
# each time) against Optuna 3.1 + PyTorch (bench/study_bench.py, Debian's /usr/bin/python3) on the
# same configurations, in rounds: each round runs every side once, the sides' order rotating from
# round to round, so a neighbour's load and the order fall on all alike. Each side's wall time is
# the whole command, process start to exit, beside the CPU time it used (on a loaded machine a
# side running two processes gets a bigger share of the cores than a side running one: the CPU
# time shows the work done). bench/study_bench_summary.ts then prints, per round and as medians,
# every side's time, which Optuna side was fastest and ajuste's ratio to it (the issue's target:
# at most 1/3). bench/README.md ("A 20-trial study on one machine") has the figures.
#
#   ROUNDS=3 bash bench/study_bench.sh
#
# STUDY: another study file (default bench/study_bench.json); its trials must match
# bench/study_bench.py's objective to compare with Optuna. One with "device": "gpu" on a GPU
# machine measures whether trials at once pay there: SIDES="ajuste1 ajuste2".
# TRIALS: train this many of the study's trials on both sides (default: the file's).
# OUT_DIR (default bench/results/study) must be new or empty: the summary reads every run in it.
#
# SIDES (default: ajuste ajuste1 optuna1 optuna1t2 optuna2), of:
#   ajuste      deno task tune with the study's parallel ("auto": chosen from the cores); the
#               engine's own OpenBLAS threads (OPENBLAS_NUM_THREADS unset: one a trial)
#   ajuste1     the same with --parallel 1 (one trial at a time)
#   ajuste2     the same with --parallel 2
#   optuna1     Optuna n_jobs=1, PyTorch on 1 thread (torch.set_num_threads, OPENBLAS_NUM_THREADS)
#   optuna1t2   Optuna n_jobs=1, PyTorch on 2 threads, OMP_WAIT_POLICY=PASSIVE (torch's OpenMP
#               threads otherwise spin and take the cores from OpenBLAS's: bench/cpu_bench.sh)
#   optuna2     Optuna n_jobs=2 (two trials at once in one process's threads), PyTorch on 1
#               thread each
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
sides=(${SIDES:-ajuste ajuste1 optuna1 optuna1t2 optuna2})
study=${STUDY:-bench/study_bench.json}
out=${OUT_DIR:-bench/results/study}
if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "OUT_DIR \"$out\" is not empty: give a new folder" && exit 2
fi
mkdir -p "$out"
params="$out/params.json"
deno run --allow-read bench/study_bench_params.ts "$study" ${TRIALS:-} >"$params" || exit 1
echo -e "side\tround\twall\tcpu\tload\tresult\tdevices" >"$out/times.tsv"

# run NAME ROUND COMMAND…: times COMMAND (wall, and the CPU seconds of it and the processes it
# waited for, by /usr/bin/time), its stdout (one JSON object) in NAME_ROUND.json and its stderr
# in a log; one line per run in times.tsv: side, round, wall s, user+sys CPU s, the 1-minute
# load average before, the JSON file, and for ajuste the backends its trials' runs reported
# (from NAME_ROUND.db, each ajuste run's own database).
run() {
  local name=$1 round=$2
  shift 2
  local load stem="$out/${name}_$round"
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S" -o "$stem.time" "$@" >"$stem.json" 2>"$stem.log" ||
    echo "== $name failed: $(tail -n 3 "$stem.log")"
  local wall user sys cpu
  read -r wall user sys <"$stem.time"
  cpu=$(echo "$user + $sys" | bc)
  echo "== round $round: $name ${wall} s, ${cpu} CPU s (load before: $load)"
  local devices=""
  [ -f "$stem.db" ] && devices=$(/usr/bin/python3 -c 'import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("select device from runs where device is not null")
print("; ".join(sorted({json.loads(device)["description"] for (device,) in rows})))' "$stem.db")
  echo -e "$name\t$round\t$wall\t$cpu\t$load\t$stem.json\t$devices" >>"$out/times.tsv"
}

# tune ROUND NAME: the ajuste command, on a fresh database of its own.
tune() {
  echo env -u OPENBLAS_NUM_THREADS deno task tune "$study" --db "file:$out/${2}_$1.db" --json \
    ${TRIALS:+--trials "$TRIALS"}
}
optuna=(/usr/bin/python3 bench/study_bench.py "$params")

for round in $(seq 1 "$rounds"); do
  # Rotated by the round, so no side always runs first (or right after another).
  shift_by=$(((round - 1) % ${#sides[@]}))
  for name in "${sides[@]:shift_by}" "${sides[@]:0:shift_by}"; do
    case $name in
      ajuste) run "$name" "$round" $(tune "$round" "$name") ;;
      ajuste1) run "$name" "$round" $(tune "$round" "$name") --parallel 1 ;;
      ajuste2) run "$name" "$round" $(tune "$round" "$name") --parallel 2 ;;
      optuna1) run "$name" "$round" env OPENBLAS_NUM_THREADS=1 "${optuna[@]}" --n-jobs 1 --threads 1 ;;
      optuna1t2)
        run "$name" "$round" env OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE "${optuna[@]}" \
          --n-jobs 1 --threads 2
        ;;
      optuna2) run "$name" "$round" env OPENBLAS_NUM_THREADS=1 "${optuna[@]}" --n-jobs 2 --threads 1 ;;
      *) echo "Unknown side \"$name\"" && exit 2 ;;
    esac
  done
done
deno run --allow-read bench/study_bench_summary.ts "$out"
