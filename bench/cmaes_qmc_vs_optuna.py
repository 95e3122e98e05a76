"""Optuna 3.1 side of bench/cmaes_qmc_vs_optuna.ts: CmaEsSampler (with Debian's cmaes 0.9.1) and,
since Optuna 3.1's QMCSampler needs scipy (not installed here), RandomSampler as QMC's reference.

Prints one JSON object: per function the best value of each seed's study, and the ms of
ask + suggest + tell per trial (median of trials 95-104 and 495-504 of one 505-trial sphere 5-D
study). Run: /usr/bin/python3 bench/cmaes_qmc_vs_optuna.py [seeds] [cma trials] [qmc trials]
"""

import json
import math
import os
import statistics
import sys
import time

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_functions import FUNCTIONS  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)


def ellipsoid5(trial):
    """Σ 100^(i/4)·(Rx)_i², R: Givens rotations by 0.7 rad of each neighbouring pair, x in [-5, 5]^5."""
    y = [trial.suggest_float(f"x{i}", -5, 5) for i in range(5)]
    for i in range(4):
        a, b = y[i], y[i + 1]
        y[i] = math.cos(0.7) * a - math.sin(0.7) * b
        y[i + 1] = math.sin(0.7) * a + math.cos(0.7) * b
    return sum(100 ** (i / 4) * v * v for i, v in enumerate(y))


BENCH = {
    "sphere5": FUNCTIONS["sphere5"],
    "ellipsoid5": ellipsoid5,
    "rosenbrock2": FUNCTIONS["rosenbrock2"],
    "ackley5": FUNCTIONS["ackley5"],
    "hartmann6": FUNCTIONS["hartmann6"],
}


def best(sampler, objective, n_trials):
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=n_trials)
    return study.best_value


def ms_per_trial(make_sampler):
    study = optuna.create_study(sampler=make_sampler())
    objective = FUNCTIONS["sphere5"]
    times = []
    for _ in range(505):
        start = time.perf_counter()
        trial = study.ask()
        study.tell(trial, objective(trial))
        times.append((time.perf_counter() - start) * 1000)
    return {"100": statistics.median(times[95:105]), "500": statistics.median(times[495:505])}


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    cma_trials = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    qmc_trials = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    try:
        import scipy  # noqa: F401

        qmc = lambda seed: optuna.samplers.QMCSampler(scramble=True, seed=seed)  # noqa: E731
        qmc_name = "QMCSampler"
    except ImportError:
        qmc = lambda seed: optuna.samplers.RandomSampler(seed=seed)  # noqa: E731
        qmc_name = "RandomSampler"
    cma = lambda seed: optuna.samplers.CmaEsSampler(seed=seed)  # noqa: E731
    out = {"version": optuna.__version__, "qmcReference": qmc_name, "cma": {}, "qmc": {}}
    for name, objective in BENCH.items():
        out["cma"][name] = [best(cma(s), objective, cma_trials) for s in range(seeds)]
        out["qmc"][name] = [best(qmc(s), objective, qmc_trials) for s in range(seeds)]
        print(f"optuna: {name} done", file=sys.stderr)
    out["msPerTrial"] = {"cma": ms_per_trial(lambda: cma(0)), "qmc": ms_per_trial(lambda: qmc(0))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
