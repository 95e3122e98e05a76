"""Optuna 3.1 side of bench/nsga2_vs_optuna.ts: NSGAIISampler with its defaults on ZDT1-3.

Reads nothing; prints one JSON object: for each function and seed, every trial's two values,
and (NSGA-II only) the time of ask + suggest + tell per trial around trials 100 and 500 of a long
ZDT1 study. Run it with Debian's Python:
/usr/bin/python3 bench/nsga2_vs_optuna.py [seeds] [trials] [nsga2|tpe]
("tpe": TPESampler with its defaults, which is MOTPE on two objectives).
"""

import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
N = 30


def zdt(kind):
    def objective(trial):
        x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(N)]
        f1 = x[0]
        g = 1 + 9 * sum(x[1:]) / (N - 1)
        if kind == 1:
            h = 1 - math.sqrt(f1 / g)
        elif kind == 2:
            h = 1 - (f1 / g) ** 2
        else:
            h = 1 - math.sqrt(f1 / g) - (f1 / g) * math.sin(10 * math.pi * f1)
        return f1, g * h

    return objective


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    kind_of_sampler = sys.argv[3] if len(sys.argv) > 3 else "nsga2"
    make = optuna.samplers.NSGAIISampler if kind_of_sampler == "nsga2" else optuna.samplers.TPESampler
    out = {"values": {}, "overhead": {}}
    for kind in (1, 2, 3):
        runs = []
        for seed in range(seeds):
            sampler = make(seed=seed)
            study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
            study.optimize(zdt(kind), n_trials=trials)
            runs.append([list(t.values) for t in study.trials])
        out["values"][f"zdt{kind}"] = runs
    if kind_of_sampler != "nsga2":
        print(json.dumps(out))
        return
    # Per-trial time (ask, suggest 30 floats, tell) at two points of one 510-trial study.
    study = optuna.create_study(
        directions=["minimize", "minimize"], sampler=optuna.samplers.NSGAIISampler(seed=0)
    )
    objective = zdt(1)
    times = []
    for _ in range(510):
        start = time.perf_counter()
        trial = study.ask()
        values = objective(trial)
        study.tell(trial, values)
        times.append(time.perf_counter() - start)
    out["overhead"] = {
        "100": sorted(times[95:105])[5] * 1000,
        "500": sorted(times[495:505])[5] * 1000,
    }
    print(json.dumps(out))


main()
