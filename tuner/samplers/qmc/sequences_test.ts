import assert from "node:assert/strict";
import { Halton, primes, Sobol, sobolDirections } from "./sequences.ts";
import { JOE_KUO } from "./sobol_directions.ts";

const fixture: { columns: Record<string, number[]> } = JSON.parse(
  Deno.readTextFileSync(new URL("./sobol_fixture.json", import.meta.url)),
);

Deno.test("Sobol: the table starts as Joe and Kuo publish it (new-joe-kuo-6.21201, d s a m_i)", () => {
  // Lines for d = 2 … 8 of the published file, less the leading d.
  assert.deepEqual(JOE_KUO.trim().split("\n").slice(0, 7), [
    "1 0 1",
    "2 1 1 3",
    "3 1 1 3 1",
    "3 2 1 1 1",
    "4 1 1 1 3 3",
    "4 4 1 3 5 13",
    "5 2 1 1 5 5 17",
  ]);
  // m_1 … m_8 of dimension 2 (x + 1) by the recurrence, scaled into 30 bits.
  assert.deepEqual(
    sobolDirections(1).slice(0, 8).map((v, j) => v / 2 ** (29 - j)),
    [1, 3, 5, 15, 17, 51, 85, 255],
  );
});

Deno.test("Sobol: the first 64 unscrambled points match PyTorch's Joe–Kuo engine in 11 of 512 dims", () => {
  const sobol = new Sobol(512);
  const points = Array.from({ length: 64 }, (_, i) => sobol.point(i));
  for (const [d, column] of Object.entries(fixture.columns)) {
    assert.deepEqual(points.map((p) => p[Number(d)]), column, `dimension ${d}`);
  }
  assert.deepEqual(new Sobol(3).point(3), [0.25, 0.75, 0.75]);
  assert.throws(() => new Sobol(513), /1 to 512 dimensions/);
});

Deno.test("Sobol scrambled: a seed gives one sequence; each 2^k block still fills every cell", () => {
  const a = new Sobol(4, { scramble: true, seed: 11 });
  const b = new Sobol(4, { scramble: true, seed: 11 });
  const c = new Sobol(4, { scramble: true, seed: 12 });
  assert.deepEqual(a.point(37), b.point(37));
  assert.notDeepEqual(a.point(37), c.point(37));
  assert.notDeepEqual(a.point(0), [0, 0, 0, 0]);
  // (0, m, 2)-net in base 2 for the first two dims: 64 points, one in each 8×8 cell.
  const cells = new Set<number>();
  for (let i = 0; i < 64; i++) {
    const [x, y] = a.point(i);
    cells.add(Math.floor(x * 8) * 8 + Math.floor(y * 8));
  }
  assert.equal(cells.size, 64);
});

Deno.test("Halton: van der Corput in the first primes; scrambled per digit, stratified", () => {
  assert.deepEqual(primes(6), [2, 3, 5, 7, 11, 13]);
  const h = new Halton(3);
  assert.deepEqual(h.point(0), [0, 0, 0]);
  assert.deepEqual(h.point(1), [0.5, 1 / 3, 0.2]);
  const p = h.point(11); // 11 = 1011₂ = 102₃ = 21₅
  assert.ok(Math.abs(p[0] - (1 / 2 + 1 / 4 + 1 / 16)) < 1e-15);
  assert.ok(Math.abs(p[1] - (2 / 3 + 0 / 9 + 1 / 27)) < 1e-15);
  assert.ok(Math.abs(p[2] - (1 / 5 + 2 / 25)) < 1e-15);
  const s = new Halton(3, { scramble: true, seed: 5 });
  assert.deepEqual(s.point(20), new Halton(3, { scramble: true, seed: 5 }).point(20));
  assert.notDeepEqual(s.point(20), new Halton(3, { scramble: true, seed: 6 }).point(20));
  // Permuting digits keeps the stratification: the first 25 points fill the 25 fifths-of-fifths.
  const cells = new Set(Array.from({ length: 25 }, (_, i) => Math.floor(s.point(i)[2] * 25)));
  assert.equal(cells.size, 25);
  for (let i = 0; i < 200; i++) for (const v of s.point(i)) assert.ok(v >= 0 && v < 1);
});
