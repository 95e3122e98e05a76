"""Optuna 3.1 side of bench/tuner_vs_optuna.ts: the same functions, TPE defaults.

Prints one JSON object: the best value per function and seed, and the time of
ask + suggest + tell per trial near the end of long studies. Run it with Debian's Python,
where Optuna 3.1 is installed: /usr/bin/python3 bench/tuner_vs_optuna.py [seeds] [trials]
"""

import json
import statistics
import sys
import time

import optuna
from bench_functions import FUNCTIONS as SHARED

optuna.logging.set_verbosity(optuna.logging.WARNING)

# The six functions this bench has always run (bench_functions.py adds two the GP bench uses).
FUNCTIONS = {
    name: SHARED[name]
    for name in ["sphere2", "sphere5", "rosenbrock2", "branin", "lr_valley", "mixed"]
}


def best_value(objective, seed, n_trials):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials)
    return study.best_value


def ms_per_trial_at(n_trials, seeds, window=10):
    """Mean milliseconds of ask + suggest + tell over the last `window` of `n_trials` trials."""
    times = []
    objective = SHARED["sphere5"]
    for seed in range(seeds):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        for number in range(n_trials):
            start = time.perf_counter()
            trial = study.ask()
            value = objective(trial)
            study.tell(trial, value)
            if number >= n_trials - window:
                times.append((time.perf_counter() - start) * 1000)
    return statistics.mean(times)


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    n_trials = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    bests = {
        name: [best_value(f, seed, n_trials) for seed in range(seeds)]
        for name, f in FUNCTIONS.items()
    }
    timing = {"100": ms_per_trial_at(100, 3), "1000": ms_per_trial_at(1000, 1)}
    print(json.dumps({"version": optuna.__version__, "bests": bests, "msPerTrial": timing}))


if __name__ == "__main__":
    main()
