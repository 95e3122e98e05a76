/**
 * A tiny plot of an activation function, drawn beside a layer in the network diagram so its
 * shape is seen, not only named.
 *
 * @module
 */

import type { Activation } from "../../engine/spec.ts";

/** Drawn wider than torch's 0.01 so the glyph reads apart from ReLU's. */
const GLYPH_LEAK = 0.1;
const SAMPLES = 25;
const RANGE = 3;

const CURVES: Record<Activation, (x: number) => number> = {
  relu: (x) => Math.max(0, x),
  leaky_relu: (x) => (x > 0 ? x : GLYPH_LEAK * x),
  sigmoid: (x) => 1 / (1 + Math.exp(-2 * x)),
  tanh: (x) => Math.tanh(2 * x),
  // The tanh approximation is plenty for a 16-unit-wide picture.
  gelu: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  none: (x) => x,
};

/** SVG path data of `activation` over x ∈ [−3, 3], scaled into the box at (x, y) of size w × h. */
export function activationPath(
  activation: Activation,
  box: { x: number; y: number; width: number; height: number },
): string {
  const curve = CURVES[activation];
  const xs = Array.from({ length: SAMPLES }, (_, i) => -RANGE + (2 * RANGE * i) / (SAMPLES - 1));
  const ys = xs.map(curve);
  const low = Math.min(...ys);
  const high = Math.max(...ys);
  const span = high - low || 1;
  return xs.map((x, i) => {
    const px = box.x + ((x + RANGE) / (2 * RANGE)) * box.width;
    const py = box.y + box.height - ((ys[i] - low) / span) * box.height;
    return `${i === 0 ? "M" : "L"}${px.toFixed(1)} ${py.toFixed(1)}`;
  }).join(" ");
}
