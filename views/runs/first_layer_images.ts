/**
 * What the first layer learned, as pictures: each unit's incoming weights from a 28×28 image laid
 * out as the image, in a diverging colour map (blue below 0, white at 0, red above), symmetric
 * around 0 and scaled to the unit's own largest |weight|. The units shown are those with the
 * largest L2 norm, the ones that respond most strongly to ink.
 *
 * Each picture is a tiny RGB PNG (fast-png) shown scaled up with sharp pixels: 784 rects per unit
 * as SVG would weigh ten times as much.
 *
 * @module
 */

import { encode } from "fast-png";

/** How many units are drawn. */
export const FIRST_LAYER_UNITS = 32;

/** ColorBrewer RdBu's ends and middle: readable on light and dark pages alike. */
const NEGATIVE = [33, 102, 172];
const ZERO = [247, 247, 247];
const POSITIVE = [178, 24, 43];

export interface UnitImage {
  /** The unit's index in its layer (its row of the weight matrix). */
  unit: number;
  norm: number;
  min: number;
  max: number;
  /** PNG data URL, `side` × `side` pixels. */
  src: string;
}

/** RGB of `t` ∈ [−1, 1] in the diverging map. */
export function divergingColor(t: number): [number, number, number] {
  const clamped = Math.max(-1, Math.min(1, t));
  const end = clamped < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(clamped);
  return [0, 1, 2].map((c) => Math.round(ZERO[c] + (end[c] - ZERO[c]) * a)) as [
    number,
    number,
    number,
  ];
}

/** Rows of `weights` [units × side²], the `count` with the largest L2 norm first. */
export function strongestUnits(weights: Float32Array, inputs: number, count: number): number[] {
  const units = weights.length / inputs;
  const norms = Array.from({ length: units }, (_, u) => {
    let sum = 0;
    for (let i = u * inputs; i < (u + 1) * inputs; i++) sum += weights[i] * weights[i];
    return Math.sqrt(sum);
  });
  return norms.map((norm, unit) => ({ norm, unit }))
    .sort((a, b) => b.norm - a.norm || a.unit - b.unit)
    .slice(0, count)
    .map(({ unit }) => unit);
}

/** Unit `unit`'s weights as a `side` × `side` RGB image, colours scaled to its largest |w|. */
export function unitImage(weights: Float32Array, unit: number, side: number): UnitImage {
  const inputs = side * side;
  const row = weights.subarray(unit * inputs, (unit + 1) * inputs);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const w of row) {
    min = Math.min(min, w);
    max = Math.max(max, w);
    sum += w * w;
  }
  const scale = Math.max(Math.abs(min), Math.abs(max)) || 1;
  const rgb = new Uint8Array(inputs * 3);
  row.forEach((w, i) => rgb.set(divergingColor(w / scale), i * 3));
  const png = encode({ width: side, height: side, data: rgb, channels: 3 });
  return {
    unit,
    norm: Math.sqrt(sum),
    min,
    max,
    src: `data:image/png;base64,${base64(png)}`,
  };
}

/** The `count` strongest units of a first layer's weights [units × side²], as pictures. */
export function firstLayerImages(
  weights: Float32Array,
  side: number,
  count = FIRST_LAYER_UNITS,
): UnitImage[] {
  return strongestUnits(weights, side * side, count).map((unit) => unitImage(weights, unit, side));
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}
