#!/usr/bin/env bash
# The engine benchmark and its PyTorch reference on the GPU machine, one device-tool call:
#   carry [".device"], command ". .device/setup.sh && bash bench/gpu_bench.sh"
# (/work/shared/device/README.md: setup.sh puts deno on PATH and MNIST in $MNIST_DIR). Deno runs
# with --no-config so it never tries to fetch the project's npm packages there. JSON lands in
# $OUT (the device tool's output folder), or bench/results here.
set -euo pipefail
out=${OUT:-bench/results}
mkdir -p "$out"
epochs=${EPOCHS:-5}
batches=${BATCHES:-128,1024}
deno run -A --no-config bench/engine_bench.ts --data "$MNIST_DIR" --json "$out/engine.json" \
  --epochs "$epochs" --batch "$batches"
# The same with each epoch queued before the last one's results: whether that pays on a GPU.
deno run -A --no-config bench/engine_bench.ts --data "$MNIST_DIR" --json "$out/engine_queued.json" \
  --epochs "$epochs" --batch "$batches" --pipeline on
python3 bench/pytorch_mlp.py --data "$MNIST_DIR" --json "$out/pytorch.json" \
  --epochs "$epochs" --batch "$batches"
