"""Optuna 3.1 side of bench/gp_vs_optuna.ts: TPE with its defaults on the shared functions.

Prints one JSON object: per function, the best value after each checkpoint (e.g. 40 and 80
trials, read from one study per seed), and the ms of ask + suggest + tell at trial 100 and 500
of a sphere 5-D study whose earlier trials are added at random. Run it with Debian's Python,
where Optuna 3.1 is installed:
/usr/bin/python3 bench/gp_vs_optuna.py [seeds] [checkpoints, comma-separated]
"""

import json
import os
import random
import sys
import time

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_functions import FUNCTIONS, sphere  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)


def bests_at(objective, seed, checkpoints):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=max(checkpoints))
    values = [t.value for t in study.trials]
    return [min(values[:n]) for n in checkpoints]


def ms_per_trial_at(n_trials, timed=3):
    """Mean ms of ask + suggest + tell for trials n_trials..n_trials+timed-1 (one untimed first)."""
    rng = random.Random(0)
    objective = sphere(5)
    distributions = {f"x{i}": optuna.distributions.FloatDistribution(-5, 5) for i in range(5)}
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    for _ in range(n_trials - 2):
        params = {name: rng.uniform(-5, 5) for name in distributions}
        value = sum(v * v for v in params.values())
        study.add_trial(
            optuna.trial.create_trial(params=params, distributions=distributions, value=value)
        )
    times = []
    for number in range(timed + 1):
        start = time.perf_counter()
        trial = study.ask()
        study.tell(trial, objective(trial))
        if number > 0:
            times.append((time.perf_counter() - start) * 1000)
    return sum(times) / len(times)


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    checkpoints = [int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "40,80").split(",")]
    bests = {}
    for name, objective in FUNCTIONS.items():
        per_seed = [bests_at(objective, seed, checkpoints) for seed in range(seeds)]
        bests[name] = {str(n): [row[k] for row in per_seed] for k, n in enumerate(checkpoints)}
    timing = {"100": ms_per_trial_at(100), "500": ms_per_trial_at(500)}
    print(json.dumps({"version": optuna.__version__, "bests": bests, "msPerTrial": timing}))


if __name__ == "__main__":
    main()
