/**
 * Initial weights of a Linear layer (weight [fanOut × fanIn]) per the contract's `model.init`,
 * drawn from the run's {@linkcode Rng} (weight first, then bias, layer by layer).
 *
 * | scheme | weight | bias |
 * | --- | --- | --- |
 * | `default` | U(±1/√fan_in): `nn.Linear.reset_parameters`, i.e. kaiming_uniform_(a=√5) | U(±1/√fan_in) |
 * | `xavier_uniform` | U(±√(6/(fan_in+fan_out))) (gain 1) | 0 |
 * | `xavier_normal` | N(0, 2/(fan_in+fan_out)) (gain 1) | 0 |
 * | `kaiming_uniform` | U(±√(6/fan_in)): relu gain √2, fan_in mode | 0 |
 * | `kaiming_normal` | N(0, 2/fan_in): relu gain √2, fan_in mode | 0 |
 * | `lecun_uniform` | U(±√(3/fan_in)) | 0 |
 * | `lecun_normal` | N(0, 1/fan_in), a plain normal (not the truncated one some libraries use) | 0 |
 *
 * The named schemes zero the biases, as the exercise's `nn.init.zeros_(m.bias)` does; the same
 * rule (and the relu gain of the Kaiming schemes) applies to every layer, the output one included.
 * Formulas: https://pytorch.org/docs/stable/nn.init.html
 *
 * @module
 */

import type { InitScheme } from "../spec.ts";
import type { Rng } from "../random.ts";

function fillUniform(data: Float32Array, bound: number, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = bound * (2 * rng.uniform() - 1);
}

function fillNormal(data: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
}

/** Fills `weight` [fanOut × fanIn] and `bias` [fanOut] in place per `scheme`. */
export function initLinear(
  scheme: InitScheme,
  weight: Float32Array,
  bias: Float32Array,
  fanIn: number,
  fanOut: number,
  rng: Rng,
): void {
  const sumFans = fanIn + fanOut;
  bias.fill(0);
  switch (scheme) {
    case "default":
      fillUniform(weight, 1 / Math.sqrt(fanIn), rng);
      fillUniform(bias, 1 / Math.sqrt(fanIn), rng);
      return;
    case "xavier_uniform":
      return fillUniform(weight, Math.sqrt(6 / sumFans), rng);
    case "xavier_normal":
      return fillNormal(weight, Math.sqrt(2 / sumFans), rng);
    case "kaiming_uniform":
      return fillUniform(weight, Math.sqrt(6 / fanIn), rng);
    case "kaiming_normal":
      return fillNormal(weight, Math.sqrt(2 / fanIn), rng);
    case "lecun_uniform":
      return fillUniform(weight, Math.sqrt(3 / fanIn), rng);
    case "lecun_normal":
      return fillNormal(weight, Math.sqrt(1 / fanIn), rng);
  }
}
