#!/usr/bin/env bash
# The CPU backends against Debian's PyTorch on this machine, in rounds: each round runs every
# engine once, one after the other, so a neighbour's load falls on all of them alike; the
# summary (bench/cpu_bench_summary.ts) takes each engine's median over the rounds of its median
# epoch (2..N). bench/README.md ("CPU-only machines") has the figures and how they were taken.
#
#   ROUNDS=5 EPOCHS=3 TRAIN_SIZE=10000 BATCHES=128 bash bench/cpu_bench.sh
#
# OPENBLAS_DIR: a folder holding Debian's OpenBLAS (libopenblas.so.0 and libblas.so.3), for a
# machine where libopenblas0-pthread is unpacked rather than installed:
#   apt-get download libopenblas0-pthread && dpkg-deb -x libopenblas0-pthread_*.deb /tmp/openblas
#   OPENBLAS_DIR=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread bash bench/cpu_bench.sh
# ajuste and PyTorch then both load it through LD_LIBRARY_PATH; the PyTorch runs without it
# are PyTorch as installed here.
#
# ENGINES: which to run (default all), of: reference wasm blas1 blas2 torch torch-unset
# torch-openblas1 torch-openblas2 torch-openblas2-unset. "-unset" runs the same command with
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (set on some of these machines for old OpenBLAS
# builds).
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
epochs=${EPOCHS:-3}
batches=${BATCHES:-128}
out=${OUT_DIR:-bench/results/cpu}
engines=${ENGINES:-reference wasm blas1 blas2 torch torch-unset torch-openblas1 torch-openblas2 torch-openblas2-unset}
subset=(${TRAIN_SIZE:+--train-size "$TRAIN_SIZE"})
blas_path=(${OPENBLAS_DIR:+LD_LIBRARY_PATH="$OPENBLAS_DIR"})
unset_tuning=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
mkdir -p "$out"

# run NAME ROUND COMMAND…: COMMAND writes its JSON to $json; its output goes to a log.
run() {
  local name=$1 round=$2
  shift 2
  json="$out/${name}_$round.json"
  echo "== round $round: $name ($(cut -d' ' -f1-3 /proc/loadavg) load)"
  "$@" >"$out/${name}_$round.log" 2>&1 ||
    echo "== $name failed: $(tail -n 3 "$out/${name}_$round.log")"
  grep -E "s/epoch|│ +[0-9]+ │" "$out/${name}_$round.log" | tail -n 1
}

# engine CPU [env arguments…]: deno task bench on the CPU backend with those products.
engine() {
  local cpu=$1
  shift
  env "$@" deno task bench --device cpu --cpu "$cpu" --epochs "$epochs" --batch "$batches" \
    "${subset[@]}" --json "$json"
}

# torch [env arguments…]: Debian's PyTorch on the same model and data.
torch() {
  env "$@" /usr/bin/python3 bench/pytorch_mlp.py --epochs "$epochs" --batch "$batches" \
    "${subset[@]}" --json "$json"
}

for round in $(seq 1 "$rounds"); do
  for name in $engines; do
    case $name in
      reference) run "$name" "$round" engine reference ;;
      wasm) run "$name" "$round" engine wasm ;;
      blas1) run "$name" "$round" engine blas "${blas_path[@]}" OPENBLAS_NUM_THREADS=1 ;;
      blas2) run "$name" "$round" engine blas "${blas_path[@]}" OPENBLAS_NUM_THREADS=2 ;;
      torch) run "$name" "$round" torch ;;
      torch-unset) run "$name" "$round" torch "${unset_tuning[@]}" ;;
      torch-openblas1) run "$name" "$round" torch "${blas_path[@]}" OPENBLAS_NUM_THREADS=1 ;;
      torch-openblas2) run "$name" "$round" torch "${blas_path[@]}" OPENBLAS_NUM_THREADS=2 ;;
      torch-openblas2-unset)
        run "$name" "$round" torch "${unset_tuning[@]}" "${blas_path[@]}" OPENBLAS_NUM_THREADS=2
        ;;
      *) echo "Unknown engine \"$name\"" && exit 2 ;;
    esac
  done
done
deno run --allow-read bench/cpu_bench_summary.ts "$out"
