"""Extracts Joe and Kuo's Sobol' direction numbers (s, a, m_1..m_s per dimension) from
PyTorch's SobolEngine table and checks that the recurrence rebuilds its 30 direction numbers.
Run with Debian's python3 (python3-torch); sobol_directions.ts holds the first 511 lines.
"""
import torch
D = 1111  # dims to extract: enough for any search space ajuste studies use
e = torch.quasirandom.SobolEngine(D, scramble=False)
V = e.sobolstate.tolist()
MAXBIT = 30

def is_primitive(poly, s):
    # poly: int with bits for x^s ... 1. Order of x modulo poly must be 2^s - 1.
    order = (1 << s) - 1
    def mulmod(a, b):
        r = 0
        while b:
            if b & 1: r ^= a
            b >>= 1; a <<= 1
            if a >> s & 1: a ^= poly
        return r
    def powmod(e):
        r, b = 1, 2
        if s == 1: b = 2 ^ poly if (2 >> s) & 1 else 2
        while e:
            if e & 1: r = mulmod(r, b)
            b = mulmod(b, b); e >>= 1
        return r
    if powmod(order) != 1: return False
    n = order; p = 2; fs = set()
    while p * p <= n:
        while n % p == 0: fs.add(p); n //= p
        p += 1
    if n > 1: fs.add(n)
    return all(powmod(order // f) != 1 for f in fs)

polys = []
s = 1
while len(polys) < D:
    for a in range(1 << max(0, s - 1)):
        poly = (1 << s) | (a << 1) | 1
        if s == 1 or is_primitive(poly, s):
            polys.append((s, a))
    s += 1

def directions(s, a, m):
    m = list(m)
    for i in range(s, MAXBIT):
        v = m[i - s] ^ (m[i - s] << s)
        for k in range(1, s):
            if (a >> (s - 1 - k)) & 1:
                v ^= m[i - k] << k
        m.append(v)
    return [m[j] << (MAXBIT - 1 - j) for j in range(MAXBIT)]

rows = []
for d in range(1, D):
    s, a = polys[d - 1]
    m = [V[d][j] >> (MAXBIT - 1 - j) for j in range(s)]
    if directions(s, a, m) != V[d]:
        raise SystemExit(f"dim {d}: recurrence does not reproduce torch's table")
    rows.append(f"{s} {a} " + " ".join(map(str, m)))
print(len(rows), "dims verified")
open("sobol_rows.txt", "w").write("\n".join(rows) + "\n")
