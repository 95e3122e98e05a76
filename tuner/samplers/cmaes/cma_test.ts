import assert from "node:assert/strict";
import { Rng } from "../../../engine/random.ts";
import { Cma } from "./cma.ts";
import { eigh } from "./eigh.ts";

interface FixtureGeneration {
  solutions: [number[], number][];
  mean: number[];
  sigma: number;
  cov: number[];
  pSigma: number[];
  pc: number[];
  shouldStop: boolean;
}
interface FixtureCase {
  name: string;
  mean: number[];
  sigma: number;
  bounds: [number, number][] | null;
  popsize: number;
  /** null: cmaes' default population. */
  givenPopsize: number | null;
  generations: FixtureGeneration[];
}

const fixture: { cases: FixtureCase[] } = JSON.parse(
  Deno.readTextFileSync(new URL("./cma_fixture.json", import.meta.url)),
);

function assertClose(actual: number[], expected: number[], what: string, rtol = 1e-9): void {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1e-12, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= rtol * scale,
      `${what}[${i}]: ${actual[i]} vs cmaes ${expected[i]}`,
    );
  }
}

Deno.test("CMA tells the same populations into the same mean, σ, C and paths as cmaes 0.9.1", () => {
  for (const c of fixture.cases) {
    const cma = Cma.create({
      mean: c.mean,
      sigma: c.sigma,
      bounds: c.bounds,
      populationSize: c.givenPopsize ?? undefined,
    });
    assert.equal(cma.popsize, c.popsize, `${c.name}: default population`);
    c.generations.forEach((g, i) => {
      // Through JSON each generation, as the sampler keeps it between trials.
      const resumed = new Cma(JSON.parse(JSON.stringify(cma.state)));
      resumed.tell(g.solutions);
      cma.state = resumed.state;
      const at = `${c.name} generation ${i + 1}`;
      assertClose(resumed.state.mean, g.mean, `${at} mean`);
      assertClose([resumed.state.sigma], [g.sigma], `${at} sigma`);
      assertClose(resumed.state.cov, g.cov, `${at} C`, 1e-8);
      assertClose(resumed.state.pSigma, g.pSigma, `${at} p_sigma`);
      assertClose(resumed.state.pc, g.pc, `${at} p_c`);
      assert.equal(resumed.shouldStop(), g.shouldStop, `${at} should_stop`);
    });
  }
});

Deno.test("eigh decomposes a symmetric matrix, eigenvalues ascending", () => {
  const a = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];
  const { values, vectors } = eigh(a, 3);
  assert.ok(values[0] <= values[1] && values[1] <= values[2]);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let acc = 0;
      for (let k = 0; k < 3; k++) acc += vectors[i * 3 + k] * values[k] * vectors[j * 3 + k];
      assert.ok(Math.abs(acc - a[i * 3 + j]) < 1e-12, `B·D·Bᵀ[${i}][${j}] = ${acc}`);
    }
  }
});

function run(f: (x: number[]) => number, n: number, generations: number, seed: number): number[] {
  const cma = Cma.create({ mean: new Array(n).fill(3), sigma: 2 });
  const rng = new Rng(seed);
  for (let g = 0; g < generations; g++) {
    const told = Array.from({ length: cma.popsize }, () => {
      const x = cma.ask(rng);
      return [x, f(x)] as [number[], number];
    });
    cma.tell(told);
  }
  return cma.state.mean;
}

Deno.test("CMA converges on a quadratic and on a rotated ellipsoid (condition 10^4)", () => {
  const target = [1, -2, 0.5, 0];
  const quadratic = (x: number[]) => x.reduce((a, v, i) => a + (v - target[i]) ** 2, 0);
  const mean = run(quadratic, 4, 120, 1);
  mean.forEach((m, i) => assert.ok(Math.abs(m - target[i]) < 1e-4, `quadratic x${i} = ${m}`));

  // f(x) = Σ 100^(i/(n−1))·((Rx)_i)², R a rotation mixing every coordinate, minimum at 0.
  const n = 4, angle = 0.7;
  const rotate = (x: number[]) => {
    const y = [...x];
    for (let i = 0; i < n - 1; i++) {
      const a = y[i], b = y[i + 1];
      y[i] = Math.cos(angle) * a - Math.sin(angle) * b;
      y[i + 1] = Math.sin(angle) * a + Math.cos(angle) * b;
    }
    return y;
  };
  const ellipsoid = (x: number[]) =>
    rotate(x).reduce((a, v, i) => a + 1e4 ** (i / (n - 1)) * v * v, 0);
  const best = run(ellipsoid, n, 250, 2);
  assert.ok(ellipsoid(best) < 1e-8, `rotated ellipsoid at the final mean: ${ellipsoid(best)}`);
});

Deno.test("CMA keeps every asked solution inside the bounds", () => {
  const bounds: [number, number][] = [[0, 1], [0, 1], [0, 1]];
  const cma = Cma.create({ mean: [0.99, 0.01, 0.5], sigma: 5, bounds, nMaxResampling: 3 });
  const rng = new Rng(3);
  for (let i = 0; i < 200; i++) {
    for (const v of cma.ask(rng)) assert.ok(v >= 0 && v <= 1, `asked ${v}`);
  }
});
