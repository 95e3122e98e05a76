/**
 * The network as a server-rendered SVG, input at the top and output at the bottom so any depth
 * fits a phone's width: each layer's units (a sample with an ellipsis when there are many), its
 * activation drawn as a small curve, batch norm as a band behind the units, dropout as dashed
 * units, and its parameter count; the total at the foot. Hovering a layer (its `<title>`) gives
 * the arithmetic behind its count.
 *
 * Colours come from the page's custom properties through `network.css`, so it follows dark mode.
 *
 * @module
 */

import type { Activation } from "../../engine/spec.ts";
import { activationPath } from "./activation_glyph.ts";
import type { DenseLayer, NetworkShape } from "./network_shape.ts";

/** Units drawn one by one; more are sampled: the first and last few around an ellipsis. */
export const MAX_DRAWN_UNITS = 10;
const SAMPLED_EACH_SIDE = 4;

const WIDTH = 340;
const ROW = 62;
const TOP = 22;
const RADIUS = 5;
const STRIP = { left: 10, width: 110 };
const GLYPH = { x: 128, width: 16, height: 12 };
const TEXT_X = 152;

const ACTIVATION_NAMES: Record<Activation, string> = {
  relu: "ReLU",
  leaky_relu: "Leaky ReLU",
  sigmoid: "Sigmoid",
  tanh: "Tanh",
  gelu: "GELU",
  none: "no activation",
};

const count = (value: number) => value.toLocaleString("en-US");

/** Where a row's units sit: x of each drawn unit, and of the ellipsis when sampled. */
export function unitSlots(units: number | null): { xs: number[]; ellipsis: number | null } {
  const slots = units === null
    ? 5 // an unknown size: a few units around an ellipsis
    : units <= MAX_DRAWN_UNITS
    ? units
    : 2 * SAMPLED_EACH_SIDE + 1;
  const gap = Math.min(16, STRIP.width / Math.max(slots, 1));
  const start = STRIP.left + (STRIP.width - gap * (slots - 1)) / 2;
  const positions = Array.from({ length: slots }, (_, i) => start + i * gap);
  const sampled = units === null || units > MAX_DRAWN_UNITS;
  if (!sampled) return { xs: positions, ellipsis: null };
  const middle = Math.floor(slots / 2);
  return { xs: positions.filter((_, i) => i !== middle), ellipsis: positions[middle] };
}

interface Row {
  kind: "input" | "hidden" | "output";
  units: number | null;
  lines: [string, string, string];
  title: string;
  layer?: DenseLayer;
}

function parameterLine(layer: DenseLayer): string {
  return layer.parameters === null
    ? "parameters: unknown input size"
    : `${count(layer.parameters)} parameters`;
}

/** The hover text of a Linear layer and what follows it: the arithmetic of its count. */
export function layerTitle(layer: DenseLayer): string {
  const input = layer.inFeatures === null ? "?" : count(layer.inFeatures);
  const units = layer.units === null ? "?" : count(layer.units);
  const lines = [`${layer.name}: Linear ${input} → ${units}`];
  if (layer.weights !== null && layer.biases !== null) {
    lines.push(
      `${count(layer.weights)} weights (${input} × ${units}) + ${count(layer.biases)} biases`,
    );
  }
  const spec = layer.spec;
  if (spec) {
    if (spec.batchNorm) {
      lines.push(
        `Batch norm: ${count(layer.normParameters)} parameters (γ, β) and ` +
          `${count(layer.normBuffers)} running statistics (not trained)`,
      );
    }
    lines.push(`Activation: ${ACTIVATION_NAMES[spec.activation]}`);
    if (spec.dropout > 0) lines.push(`Dropout: p = ${spec.dropout}, in training only`);
  }
  lines.push(
    layer.parameters === null
      ? "Trainable parameters: unknown until the input size is"
      : `Trainable parameters: ${count(layer.parameters)}`,
  );
  return lines.join("\n");
}

function rowsOf(shape: NetworkShape): Row[] {
  const features = shape.features === null ? "?" : count(shape.features);
  const side = shape.imageSide;
  const input: Row = {
    kind: "input",
    units: shape.features,
    lines: [
      `Input · ${features} features`,
      side ? `${side}×${side} pixels, flattened` : "",
      "",
    ],
    title: `Input: ${features} features${side ? ` (a ${side}×${side} image, flattened)` : ""}`,
  };
  const hidden: Row[] = shape.hidden.map((layer) => {
    const spec = layer.spec!;
    const blocks = [ACTIVATION_NAMES[spec.activation]];
    if (spec.batchNorm) blocks.unshift("BN");
    if (spec.dropout > 0) blocks.push(`dropout ${spec.dropout}`);
    return {
      kind: "hidden",
      units: layer.units,
      lines: [
        `${layer.name} · ${count(spec.units)} units`,
        blocks.join(" · "),
        parameterLine(layer),
      ],
      title: layerTitle(layer),
      layer,
    };
  });
  const output = shape.output;
  const outputUnits = output.units === null ? "?" : count(output.units);
  const outputRow: Row = {
    kind: "output",
    units: output.units,
    lines: [`Output · ${outputUnits} units`, shape.outputNote ?? "", parameterLine(output)],
    title: layerTitle(output) + (shape.outputNote ? `\n${shape.outputNote}` : ""),
    layer: output,
  };
  return [input, ...hidden, outputRow];
}

/** A short sentence for screen readers and the SVG's own title. */
export function networkSummary(shape: NetworkShape): string {
  const sizes = [
    shape.features ?? "?",
    ...shape.hidden.map((layer) => layer.units),
    shape.output.units ?? "?",
  ].join(" → ");
  const total = shape.parameters === null
    ? "parameter count unknown until the dataset is read"
    : `${count(shape.parameters)} trainable parameters`;
  return `Network ${sizes}: ${total}`;
}

export function NetworkDiagram(props: { shape: NetworkShape; id?: string }) {
  const { shape } = props;
  const rows = rowsOf(shape);
  const slots = rows.map((row) => unitSlots(row.units));
  const cy = (i: number) => TOP + i * ROW;
  const footY = cy(rows.length - 1) + ROW * 0.75;
  const buffers = shape.hidden.reduce((sum, layer) => sum + layer.normBuffers, 0);
  const marked = shape.hidden.some((layer) => layer.spec!.batchNorm || layer.spec!.dropout > 0);
  const height = footY + (buffers > 0 ? 16 : 0) + (marked ? 18 : 0) + 6;
  const titleId = `${props.id ?? "network"}-title`;
  return (
    <svg
      id={props.id}
      class="network-diagram"
      viewBox={`0 0 ${WIDTH} ${height.toFixed(0)}`}
      width="100%"
      role="img"
      aria-labelledby={titleId}
      data-parameters={shape.parameters ?? undefined}
    >
      <title id={titleId}>{networkSummary(shape)}</title>
      <g class="net-edges">
        {rows.slice(1).map((_, i) =>
          slots[i].xs.flatMap((x1) =>
            slots[i + 1].xs.map((x2) => (
              <line x1={x1} y1={cy(i) + RADIUS} x2={x2} y2={cy(i + 1) - RADIUS} />
            ))
          )
        )}
      </g>
      {rows.map((row, i) => {
        const y = cy(i);
        const { xs, ellipsis } = slots[i];
        const spec = row.layer?.spec;
        const band = spec?.batchNorm;
        const dropout = (spec?.dropout ?? 0) > 0;
        return (
          <g class={`net-layer net-${row.kind}`} tabindex="0" data-layer={row.lines[0]}>
            <title>{row.title}</title>
            <rect class="net-hit" x="0" y={y - ROW / 2} width={WIDTH} height={ROW} />
            {band && (
              <rect
                class="net-norm"
                x={xs[0] - RADIUS - 3}
                y={y - RADIUS - 3}
                width={xs.at(-1)! - xs[0] + 2 * RADIUS + 6}
                height={2 * RADIUS + 6}
                rx={RADIUS + 3}
              />
            )}
            {xs.map((x) => (
              <circle
                class={dropout ? "net-unit net-dropout" : "net-unit"}
                cx={x}
                cy={y}
                r={RADIUS}
              />
            ))}
            {ellipsis !== null && (
              <text class="net-ellipsis" x={ellipsis} y={y + 4} text-anchor="middle">…</text>
            )}
            {spec && (
              <path
                class="net-glyph"
                d={activationPath(spec.activation, {
                  x: GLYPH.x,
                  y: y - GLYPH.height / 2,
                  width: GLYPH.width,
                  height: GLYPH.height,
                })}
              />
            )}
            <text class="net-name" x={TEXT_X} y={y - 9}>{row.lines[0]}</text>
            <text class="net-detail" x={TEXT_X} y={y + 6}>{row.lines[1]}</text>
            <text class="net-detail" x={TEXT_X} y={y + 20}>{row.lines[2]}</text>
          </g>
        );
      })}
      <text class="net-total" x={STRIP.left} y={footY}>
        {shape.parameters === null
          ? "Total: unknown until the dataset is read"
          : `Total: ${count(shape.parameters)} trainable parameters`}
      </text>
      {buffers > 0 && (
        <text class="net-detail" x={STRIP.left} y={footY + 16}>
          + {count(buffers)} batch-norm running statistics (not trained)
        </text>
      )}
      {marked && <Legend y={footY + (buffers > 0 ? 34 : 18)} />}
    </svg>
  );
}

function Legend(props: { y: number }) {
  const y = props.y - 4;
  return (
    <g class="net-legend">
      <rect class="net-norm" x={STRIP.left} y={y - 7} width="26" height="14" rx="7" />
      <text class="net-detail" x={STRIP.left + 32} y={y + 4}>batch norm</text>
      <circle class="net-unit net-dropout" cx={STRIP.left + 110} cy={y} r={RADIUS} />
      <text class="net-detail" x={STRIP.left + 120} y={y + 4}>dropout</text>
      <path
        class="net-glyph"
        d={activationPath("relu", { x: STRIP.left + 178, y: y - 6, width: 16, height: 12 })}
      />
      <text class="net-detail" x={STRIP.left + 200} y={y + 4}>activation</text>
    </g>
  );
}
