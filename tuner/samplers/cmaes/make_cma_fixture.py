"""Writes cma_fixture.json: populations told to the `cmaes` package 0.9.1's CMA (the optimizer
behind Optuna 3.1's CmaEsSampler) and its state after each tell, for cma_test.ts to replay.

Run with Debian's python3 (python3-cmaes): /usr/bin/python3 make_cma_fixture.py
"""
import json

import numpy as np
from cmaes import CMA


def rotated_ellipsoid(x):
    n = len(x)
    rng = np.random.RandomState(7)
    q, _ = np.linalg.qr(rng.randn(n, n))
    z = q.dot(x - 0.3)
    return float(sum((1000 ** (i / (n - 1))) * z[i] ** 2 for i in range(n)))


def rosenbrock(x):
    return float(sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1)))


def case(name, f, mean, sigma, bounds, popsize, generations, seed):
    opt = CMA(mean=np.array(mean, dtype=float), sigma=sigma,
              bounds=None if bounds is None else np.array(bounds, dtype=float),
              population_size=popsize, seed=seed)
    out = {"name": name, "mean": mean, "sigma": sigma, "bounds": bounds,
           "popsize": opt.population_size, "givenPopsize": popsize, "generations": []}
    for _ in range(generations):
        xs = [opt.ask() for _ in range(opt.population_size)]
        told = [(x, f(x)) for x in xs]
        opt.tell(list(told))
        out["generations"].append({
            "solutions": [[list(map(float, x)), v] for x, v in told],
            "mean": list(map(float, opt._mean)),
            "sigma": float(opt._sigma),
            "cov": [float(v) for v in opt._C.reshape(-1)],
            "pSigma": list(map(float, opt._p_sigma)),
            "pc": list(map(float, opt._pc)),
            "shouldStop": bool(opt.should_stop()),
        })
    return out


cases = [
    case("ellipsoid-3d", rotated_ellipsoid, [1.0, -1.0, 0.5], 0.8, None, None, 8, 1),
    case("rosenbrock-5d-bounded", rosenbrock, [0.0] * 5, 0.5, [[-2.0, 2.0]] * 5, 12, 6, 2),
    # A slope: the evolution path grows until h_sigma turns 0 (the rank-one update stalls).
    case("slope-4d", lambda x: float(sum(x)), [0.0] * 4, 0.1, None, None, 10, 4),
    # Tiny sigma on a flat function: should_stop() turns true (what IPOP restarts on).
    case("flat-2d", lambda x: 1.0, [0.5, 0.5], 0.3, [[0.0, 1.0]] * 2, None, 23, 3),
]
with open("cma_fixture.json", "w") as fh:
    json.dump({"cmaes": "0.9.1", "cases": cases}, fh, indent=None)
    fh.write("\n")
