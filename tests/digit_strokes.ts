/**
 * A digit image turned into pen strokes and drawn again the way the run page's canvas draws
 * (`views/runs/draw_digit.js`): white ink on a black 280×280 canvas, a round pen 24 pixels wide
 * with round joins, anti-aliased. The strokes are the image's skeleton: its ink thresholded and
 * thinned to one-pixel lines (Zhang and Suen, "A fast parallel algorithm for thinning digital
 * patterns", CACM 27(3), 1984), each pair of 8-neighbouring skeleton pixels a stroke segment and
 * a lone pixel a dot, as a pen that touched down there would leave.
 *
 * @module
 */

/** The run page's canvas side and pen width (draw_digit.tsx, draw_digit.js's INK_WIDTH). */
export const CANVAS_SIDE = 280;
export const PEN_WIDTH = 24;
/** Samples per canvas pixel along each axis for the pen's anti-aliased edge. */
const SUBSAMPLES = 4;

/**
 * The ink (grey level > `threshold`) of a `side`×`side` image thinned to one-pixel lines. The
 * default, a quarter of full ink, keeps the faint joins of MNIST's pen strokes that 127 breaks
 * (test digit 8's "5" loses its top bar there).
 */
export function skeleton(pixels: ArrayLike<number>, side: number, threshold = 64): Uint8Array {
  const ink = Uint8Array.from({ length: side * side }, (_, i) => (pixels[i] > threshold ? 1 : 0));
  const at = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < side && y < side ? ink[y * side + x] : 0;
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      const remove: number[] = [];
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          if (!ink[y * side + x]) continue;
          // P2..P9, clockwise from north.
          const p = [
            at(x, y - 1),
            at(x + 1, y - 1),
            at(x + 1, y),
            at(x + 1, y + 1),
            at(x, y + 1),
            at(x - 1, y + 1),
            at(x - 1, y),
            at(x - 1, y - 1),
          ];
          const neighbours = p.reduce((a, b) => a + b, 0);
          let transitions = 0;
          for (let k = 0; k < 8; k++) if (!p[k] && p[(k + 1) % 8]) transitions++;
          const [n, , e, , s, , w] = p;
          const side1 = pass === 0 ? n * e * s : n * e * w;
          const side2 = pass === 0 ? e * s * w : n * s * w;
          if (
            neighbours >= 2 && neighbours <= 6 && transitions === 1 && side1 === 0 && side2 === 0
          ) {
            remove.push(y * side + x);
          }
        }
      }
      for (const i of remove) ink[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return ink;
}

/** Pen segments through the centres of a skeleton's pixels, scaled to the canvas. */
export function strokes(lines: Uint8Array, side: number): [number, number, number, number][] {
  const scale = CANVAS_SIDE / side;
  const centre = (v: number) => (v + 0.5) * scale;
  const segments: [number, number, number, number][] = [];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (!lines[y * side + x]) continue;
      let joined = false;
      // Each neighbour pair once: east, south-west, south, south-east, and the ones above.
      for (
        const [dx, dy] of [[1, 0], [-1, 1], [0, 1], [1, 1], [1, -1], [0, -1], [-1, -1], [-1, 0]]
      ) {
        const nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= side || ny >= side || !lines[ny * side + nx]) continue;
        joined = true;
        if (dy > 0 || (dy === 0 && dx > 0)) {
          segments.push([centre(x), centre(y), centre(nx), centre(ny)]);
        }
      }
      if (!joined) segments.push([centre(x), centre(y), centre(x), centre(y)]);
    }
  }
  return segments;
}

/** The segments drawn with a round pen, white on black: RGBA bytes of the canvas, opaque. */
export function drawCanvas(segments: [number, number, number, number][]): Uint8Array {
  const n = CANVAS_SIDE * SUBSAMPLES;
  const covered = new Uint8Array(n * n);
  const radius = (PEN_WIDTH / 2) * SUBSAMPLES;
  for (const segment of segments) {
    const [ax, ay, bx, by] = segment.map((v) => v * SUBSAMPLES);
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - radius));
    const x1 = Math.min(n - 1, Math.ceil(Math.max(ax, bx) + radius));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - radius));
    const y1 = Math.min(n - 1, Math.ceil(Math.max(ay, by) + radius));
    const dx = bx - ax, dy = by - ay;
    const length2 = dx * dx + dy * dy;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5, py = y + 0.5;
        const t = length2 === 0
          ? 0
          : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
        const ex = px - (ax + t * dx), ey = py - (ay + t * dy);
        if (ex * ex + ey * ey <= radius * radius) covered[y * n + x] = 1;
      }
    }
  }
  const rgba = new Uint8Array(CANVAS_SIDE * CANVAS_SIDE * 4);
  for (let y = 0; y < CANVAS_SIDE; y++) {
    for (let x = 0; x < CANVAS_SIDE; x++) {
      let hits = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          hits += covered[(y * SUBSAMPLES + sy) * n + x * SUBSAMPLES + sx];
        }
      }
      const value = Math.round((255 * hits) / (SUBSAMPLES * SUBSAMPLES));
      rgba.set([value, value, value, 255], (y * CANVAS_SIDE + x) * 4);
    }
  }
  return rgba;
}
