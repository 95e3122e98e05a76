/**
 * Dataset lookup shared by the API and the pages. Requests may name only the datasets the
 * server lists, never an arbitrary `idx:`/`csv:` path on the server's disk.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";
import type { Dataset } from "../../engine/data/dataset.ts";
import {
  type DatasetInfo,
  type DatasetRoots,
  describeDatasets,
  loadDataset,
} from "../../engine/data/load.ts";

/** How many training examples the previews show. */
export const SAMPLE_COUNT = 24;

/** The listed dataset `id` with its loaded data; 404 for an id that is not listed. */
export async function listedDataset(
  roots: DatasetRoots,
  id: string,
): Promise<{ info: DatasetInfo; dataset: Dataset }> {
  const infos = await describeDatasets(roots);
  const info = infos.find((candidate) => candidate.id === id);
  if (!info) {
    const listed = infos.map((candidate) => `"${candidate.id}"`).join(", ");
    throw new HTTPException(404, { message: `Unknown dataset "${id}": expected one of ${listed}` });
  }
  return { info, dataset: await loadDataset(id, roots) };
}
