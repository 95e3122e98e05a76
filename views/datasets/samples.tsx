/**
 * The first training examples of a dataset: a grid of server-rendered PNGs for image datasets,
 * a table of the first rows for the rest (CSV, synthetic).
 *
 * @module
 */

import type { Dataset } from "../../engine/data/dataset.ts";
import type { DatasetInfo } from "../../engine/data/load.ts";
import { grayPngDataUrl } from "../charts/png.ts";

/** Images are drawn 3× their size; CSS keeps the pixels sharp. */
const UPSCALE = 3;
/** Wider tables would scroll sideways more than they inform. */
const MAX_TABLE_COLUMNS = 12;

export interface ImageSample {
  label: string;
  src: string;
}

export interface TableSample {
  label: string;
  values: string[];
}

export type SamplePreview =
  | { kind: "images"; side: number; samples: ImageSample[] }
  | { kind: "table"; features: number; samples: TableSample[] };

/** The first `count` training examples, encoded for display. */
export async function previewSamples(dataset: Dataset, count: number): Promise<SamplePreview> {
  const { train, features, imageSide } = dataset;
  const rows = Array.from({ length: Math.min(count, train.count) }, (_, row) => row);
  const labelOf = (row: number) =>
    dataset.classNames[train.labels[row]] ?? String(train.labels[row]);

  if (imageSide && imageSide * imageSide === features && train.inputs instanceof Uint8Array) {
    const pixels = train.inputs;
    const samples = await Promise.all(rows.map(async (row) => ({
      label: labelOf(row),
      src: await grayPngDataUrl(
        pixels.subarray(row * features, (row + 1) * features),
        imageSide,
        imageSide,
      ),
    })));
    return { kind: "images", side: imageSide, samples };
  }

  const shown = Math.min(features, MAX_TABLE_COLUMNS);
  const samples = rows.map((row) => ({
    label: labelOf(row),
    values: Array.from(
      train.inputs.subarray(row * features, row * features + shown),
      (value) => Number.isInteger(value) ? String(value) : value.toFixed(3),
    ),
  }));
  return { kind: "table", features, samples };
}

export function SamplesView(props: { info: DatasetInfo; preview: SamplePreview }) {
  const { info, preview } = props;
  return (
    <div>
      <p class="muted">
        {info.name}: the first {preview.samples.length} training examples and their labels.
      </p>
      {preview.kind === "images"
        ? <ImageGrid side={preview.side} samples={preview.samples} />
        : <SampleTable features={preview.features} samples={preview.samples} />}
    </div>
  );
}

function ImageGrid(props: { side: number; samples: ImageSample[] }) {
  const size = props.side * UPSCALE;
  return (
    <ul class="sample-grid">
      {props.samples.map((sample) => (
        <li>
          <figure>
            <img src={sample.src} width={size} height={size} alt={`Label ${sample.label}`} />
            <figcaption>{sample.label}</figcaption>
          </figure>
        </li>
      ))}
    </ul>
  );
}

function SampleTable(props: { features: number; samples: TableSample[] }) {
  const shown = props.samples[0]?.values.length ?? 0;
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th class="number">#</th>
            {
              // deno-lint-ignore jsx-key -- server-rendered once; hono would print a key attribute
              Array.from({ length: shown }, (_, i) => <th class="number">x{i}</th>)
            }
            {props.features > shown && <th>… {props.features - shown} more</th>}
            <th>label</th>
          </tr>
        </thead>
        <tbody>
          {props.samples.map((sample, row) => (
            <tr>
              <td class="number">{row}</td>
              {
                // deno-lint-ignore jsx-key -- server-rendered once; hono would print a key attribute
                sample.values.map((value) => <td class="number">{value}</td>)
              }
              {props.features > shown && <td></td>}
              <td>{sample.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
