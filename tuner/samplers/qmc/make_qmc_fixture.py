"""Writes sobol_fixture.json: the first 64 points of PyTorch's unscrambled Sobol' engine (Joe–Kuo
new-joe-kuo-6.21201 direction numbers, Gray-code order, as scipy's) in a few of the 512
dimensions sequences.ts supports, for sequences_test.ts.

Run with Debian's python3 (python3-torch): /usr/bin/python3 make_qmc_fixture.py
"""
import json

import torch

DIMS = [0, 1, 2, 3, 4, 5, 9, 31, 100, 257, 511]
engine = torch.quasirandom.SobolEngine(512, scramble=False)
points = engine.draw(64, dtype=torch.float64)
columns = {str(d): [float(v) for v in points[:, d]] for d in DIMS}
with open("sobol_fixture.json", "w") as fh:
    json.dump({"source": "torch.quasirandom.SobolEngine(512, scramble=False)", "columns": columns}, fh)
    fh.write("\n")
