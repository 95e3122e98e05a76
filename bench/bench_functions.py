"""The test functions the sampler benches share, as bench/bench_functions.ts defines them."""

import math


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


HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
HARTMANN_P = [
    [v * 1e-4 for v in row]
    for row in [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j}", 0, 1) for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6))
        total += HARTMANN_ALPHA[i] * math.exp(-inner)
    return -total


def ackley(dim):
    def objective(trial):
        x = [trial.suggest_float(f"x{j}", -32.768, 32.768) for j in range(dim)]
        squares = sum(v * v for v in x) / dim
        cosines = sum(math.cos(2 * math.pi * v) for v in x) / dim
        return -20 * math.exp(-0.2 * math.sqrt(squares)) - math.exp(cosines) + 20 + math.e

    return objective


FUNCTIONS = {
    "sphere2": sphere(2),
    "sphere5": sphere(5),
    "rosenbrock2": rosenbrock,
    "branin": branin,
    "lr_valley": lr_valley,
    "mixed": mixed,
    "hartmann6": hartmann6,
    "ackley5": ackley(5),
}
