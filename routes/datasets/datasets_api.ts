/**
 * `/api/datasets`: the datasets the server lists, and labelled samples of one.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { describeDatasets } from "../../engine/data/load.ts";
import type { AppContext } from "../context.ts";
import { badRequest } from "../shell/errors.tsx";
import { listedDataset, SAMPLE_COUNT } from "./datasets.ts";

const MAX_SAMPLES = 1000;

const samplesQuery = z.object({
  split: z.enum(["train", "test"], {
    error: (iss) => `Split must be "train" or "test", got ${JSON.stringify(iss.input)}`,
  }).default("train"),
  count: z.string().optional().transform((raw, ctx) => {
    if (raw === undefined) return SAMPLE_COUNT;
    const count = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (count >= 1 && count <= MAX_SAMPLES) return count;
    ctx.addIssue({
      code: "custom",
      message: `Count must be an integer from 1 to ${MAX_SAMPLES}, got "${raw}"`,
    });
    return z.NEVER;
  }),
});

export function datasetsApi(ctx: AppContext): Hono {
  const api = new Hono();

  api.get("/", async (c) => c.json(await describeDatasets(ctx.datasetRoots)));

  api.get("/:id/samples", async (c) => {
    const query = samplesQuery.safeParse(c.req.query());
    if (!query.success) throw badRequest(query.error);
    const { dataset } = await listedDataset(ctx.datasetRoots, c.req.param("id"));
    const { split } = query.data;
    const examples = split === "test" ? dataset.test : dataset.train;
    if (!examples) {
      throw new HTTPException(400, {
        message: `Dataset "${dataset.id}" has no official test set: a run's split carves ` +
          `its test examples out of the training pool`,
      });
    }
    const count = Math.min(query.data.count, examples.count);
    const samples = Array.from(examples.labels.subarray(0, count), (label, index) => ({
      index,
      label,
      className: dataset.classNames[label],
    }));
    return c.json({ dataset: dataset.id, split, samples });
  });

  return api;
}
