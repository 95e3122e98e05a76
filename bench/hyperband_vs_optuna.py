"""Optuna 3.1 side of bench/hyperband_vs_optuna.ts.

Part A (replayed curves): per seed, 100 noisy decaying learning curves of 27 steps (the curves of
tests/fixtures/make_pruner_fixtures.py), replayed one trial after another through
HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3) in a study named "hb-<seed>";
prints the curves and the step at which each trial was pruned (null: ran to the end).
Part B (sampler + pruner): per seed, TPESampler(seed) with HyperbandPruner(min_resource=1,
max_resource="auto", reduction_factor=3) for 100 trials on a curve family whose floor and speed
depend on the params (curve() below, the same in the .ts); prints each study's best value and the
steps trained in all. Run: /usr/bin/python3 bench/hyperband_vs_optuna.py [seeds]
"""

import json
import math
import os
import sys
import time

import optuna
from optuna.pruners import HyperbandPruner
from optuna.trial import TrialState

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
from make_pruner_fixtures import curves  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)

STEPS = 27


def replay(name, trial_curves):
    study = optuna.create_study(
        study_name=name,
        pruner=HyperbandPruner(min_resource=1, max_resource=STEPS, reduction_factor=3),
    )
    pruned_at = []
    for curve in trial_curves:
        trial = study.ask()
        step_pruned = None
        for k, value in enumerate(curve):
            trial.report(value, k + 1)
            if trial.should_prune():
                step_pruned = k + 1
                break
        if step_pruned is None:
            study.tell(trial, curve[-1])
        else:
            study.tell(trial, state=TrialState.PRUNED)
        pruned_at.append(step_pruned)
    return pruned_at


def curve(x, lr, number, step):
    """Dev loss at `step` of a trial with params x, lr: floor and speed set by the params."""
    floor = 0.05 + (x - 0.3) ** 2 + 0.1 * (math.log10(lr) + 2) ** 2
    rate = 0.05 + 0.4 * x
    noise = 0.02 * math.sin(number * 12.9898 + step * 78.233)
    return floor + 1.5 * math.exp(-rate * step) + noise


def tuned(seed, n_trials=100):
    study = optuna.create_study(
        study_name=f"hbt-{seed}",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=HyperbandPruner(min_resource=1, max_resource="auto", reduction_factor=3),
    )
    steps = 0

    def objective(trial):
        nonlocal steps
        x = trial.suggest_float("x", 0, 1)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        value = None
        for step in range(1, STEPS + 1):
            value = curve(x, lr, trial.number, step)
            steps += 1
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study.optimize(objective, n_trials=n_trials)
    return study.best_value, steps


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    replayed = []
    for seed in range(seeds):
        trial_curves = curves(1000 + seed, 100, STEPS)
        replayed.append({"curves": trial_curves, "prunedAt": replay(f"hb-{seed}", trial_curves)})
    started = time.perf_counter()
    results = [tuned(seed) for seed in range(seeds)]
    print(f"optuna part B: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(json.dumps({
        "version": optuna.__version__,
        "replayed": replayed,
        "tuned": {"best": [r[0] for r in results], "steps": [r[1] for r in results]},
    }))


if __name__ == "__main__":
    main()
