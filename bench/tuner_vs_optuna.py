"""Optuna 3.1 side of bench/tuner_vs_optuna.ts: the same functions, TPE defaults.

Prints one JSON object: the best value per function and seed, and the time of
ask + suggest + tell per trial near the end of long studies. Run it with Debian's Python,
where Optuna 3.1 is installed: /usr/bin/python3 bench/tuner_vs_optuna.py [seeds] [trials]
"""

import json
import math
import statistics
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def sphere(dim):
    def objective(trial):
        return sum(trial.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(dim))

    return objective


def rosenbrock(trial):
    x = trial.suggest_float("x", -2, 2)
    y = trial.suggest_float("y", -2, 2)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def branin(trial):
    x = trial.suggest_float("x", -5, 10)
    y = trial.suggest_float("y", 0, 15)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def lr_valley(trial):
    return (math.log10(trial.suggest_float("lr", 1e-5, 1, log=True)) + 2.5) ** 2


def mixed(trial):
    optimizer = trial.suggest_categorical("optimizer", ["sgd", "rmsprop", "adam"])
    x = trial.suggest_float("x", -3, 3)
    units = trial.suggest_int("units", 16, 256, step=16)
    offset = {"sgd": 1.0, "rmsprop": 0.5, "adam": 0.0}[optimizer]
    return (x - 1) ** 2 + offset + ((units - 128) / 128) ** 2


FUNCTIONS = {
    "sphere2": sphere(2),
    "sphere5": sphere(5),
    "rosenbrock2": rosenbrock,
    "branin": branin,
    "lr_valley": lr_valley,
    "mixed": mixed,
}


def best_value(objective, seed, n_trials):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials)
    return study.best_value


def ms_per_trial_at(n_trials, seeds, window=10):
    """Mean milliseconds of ask + suggest + tell over the last `window` of `n_trials` trials."""
    times = []
    objective = sphere(5)
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
