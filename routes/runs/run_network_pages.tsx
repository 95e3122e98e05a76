/**
 * `GET /runs/:id/network`: the run page's network parts (`views/runs/run_network_section.tsx`),
 * as a fragment for the page's placeholder or, without htmx, as a page of their own.
 * `GET /runs/:id/first-layer?saved=MS`: a training run's first-layer pictures from its latest
 * epoch (trained in this process: the snapshot each epoch's result carries, kept in memory by the
 * run service) or else its latest checkpoint, or 204 while that is still the one of time MS
 * (`views/runs/first_layer.tsx`).
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { checkpointSavedAt, getCheckpoint } from "../../db/checkpoints.ts";
import { getRun, getWeights, type RunWithEpochs } from "../../db/runs.ts";
import type { NamedTensor } from "../../engine/backend.ts";
import { decodeCheckpoint } from "../../engine/checkpoint.ts";
import { decodeSafetensors } from "../../engine/safetensors.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import type { LiveFirstLayer as LiveEpoch } from "../../jobs/live_first_layers.ts";
import { runNetwork } from "../../views/network/run_network.ts";
import { FirstLayer, type FirstLayerProps } from "../../views/runs/first_layer.tsx";
import {
  FIRST_LAYER_UNITS,
  firstLayerImages,
  unitImage,
} from "../../views/runs/first_layer_images.ts";
import { type RunNetworkProps, RunNetworkSection } from "../../views/runs/run_network_section.tsx";
import { Layout } from "../../views/shell/layout.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { type DataFacts, dataFacts, isDigitImages } from "./run_model.ts";

export function runNetworkRoutes(ctx: AppContext): Hono {
  return new Hono().get("/:id/network", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const run = await getRun(ctx.db, id);
    if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
    const config = run.config as RunConfig;
    const weights = run.status === "completed" ? await getWeights(ctx.db, id) : undefined;
    const state = weights ? decodeSafetensors(weights).state : [];
    const first = firstWeights(state, config);
    const facts = await dataFacts(config, ctx.datasetRoots, {
      features: first?.shape[1],
      classes: (run.test as TestRecord | null)?.classes,
    });
    const props: RunNetworkProps = { id, shape: runNetwork(config.model, config.loss, facts) };
    if (first && facts && isDigitImages(facts)) {
      props.firstLayer = firstLayer(first, facts.imageSide!, facts.classNames, config);
      props.draw = facts.classNames;
    } else if (isTraining(run) && isDigitImages(facts)) {
      props.firstLayer = await liveFirstLayer(ctx, run, facts!);
    }
    if (c.req.header("HX-Request")) return c.html(<RunNetworkSection {...props} />);
    return c.html(
      <Layout title={`Network of run #${id}`} current="/runs">
        <p>
          <a href={`/runs/${id}`}>← Run #{id} · {run.name}</a>
        </p>
        <RunNetworkSection {...props} />
      </Layout>,
    );
  }).get("/:id/first-layer", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const saved = c.req.query("saved") ?? "0";
    if (!/^\d{1,15}$/.test(saved)) {
      throw new HTTPException(400, {
        message: `saved must be a checkpoint's time in milliseconds, got "${saved}"`,
      });
    }
    const run = await getRun(ctx.db, id);
    if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
    // A run that stopped training swaps in its whole body, network parts included.
    if (!isTraining(run)) return c.body(null, 204);
    const epoch = ctx.service.firstLayers.get(id);
    if (epoch) {
      const facts = await dataFacts(run.config as RunConfig, ctx.datasetRoots);
      if (!isDigitImages(facts)) return c.body(null, 204);
      const props = epochFirstLayer(run, epoch, facts!.imageSide!);
      if (props.live!.checkpoint!.savedAt === Number(saved)) return c.body(null, 204);
      return c.html(<FirstLayer {...props} />);
    }
    const savedAt = await checkpointSavedAt(ctx.db, id);
    if (savedAt === null || savedAt === Number(saved)) return c.body(null, 204);
    const facts = await dataFacts(run.config as RunConfig, ctx.datasetRoots);
    if (!isDigitImages(facts)) return c.body(null, 204);
    return c.html(<FirstLayer {...await liveFirstLayer(ctx, run, facts!)} />);
  });
}

function isTraining(run: RunWithEpochs): boolean {
  return run.status === "queued" || run.status === "running";
}

/**
 * Live first layers drawn lately, by run, run creation and save time: decoding a checkpoint of
 * the default model and drawing its pictures takes 50–250 ms here (bench/first_layer_bench.ts),
 * so each save is drawn once however many pages ask for it.
 */
const drawnSaves = new Map<string, FirstLayerProps>();
const KEPT_SAVES = 4;

/** A training run's first layer as its latest checkpoint has it (none before the first). */
async function liveFirstLayer(
  ctx: AppContext,
  run: RunWithEpochs,
  facts: DataFacts,
): Promise<FirstLayerProps> {
  const config = run.config as RunConfig;
  const side = facts.imageSide!;
  const epoch = ctx.service.firstLayers.get(run.id);
  if (epoch) return epochFirstLayer(run, epoch, side);
  const savedAt = await checkpointSavedAt(ctx.db, run.id);
  const key = `${run.id}@${new Date(run.createdAt).getTime()}@${savedAt}`;
  const drawn = drawnSaves.get(key);
  if (drawn) return drawn;
  const saved = savedAt === null ? null : await getCheckpoint(ctx.db, run.id);
  if (!saved) {
    const units = config.model.layers[0]?.units ?? 0;
    return { images: [], side, units, live: { runId: run.id, checkpoint: null } };
  }
  const checkpoint = decodeCheckpoint(saved.bytes);
  const first = firstWeights(checkpoint.session.weights, config)!;
  const props: FirstLayerProps = {
    ...firstLayer(first, side, facts.classNames, config),
    live: {
      runId: run.id,
      checkpoint: {
        savedAt: saved.savedAt,
        epoch: checkpoint.epoch,
        midEpoch: checkpoint.session.position !== undefined,
      },
    },
  };
  drawnSaves.set(`${run.id}@${new Date(run.createdAt).getTime()}@${saved.savedAt}`, props);
  if (drawnSaves.size > KEPT_SAVES) drawnSaves.delete(drawnSaves.keys().next().value!);
  return props;
}

/**
 * Each run's latest epoch drawn (by run id and creation time), when and in how long: drawing 32
 * pictures takes 15–100 ms here (bench/first_layer_epoch_bench.ts), so a newer epoch is drawn
 * only once twice the last drawing has passed (at most a third of a core per watched run however
 * short its epochs), and at the latest 400 ms after it; meanwhile pages get the last one drawn.
 */
const drawnEpochs = new Map<string, { props: FirstLayerProps; drawnAt: number; took: number }>();
const REDRAW_AFTER = 2;
const REDRAW_WITHIN_MS = 400;

/** A training run's first layer as its latest epoch left it, drawn once per epoch at most. */
function epochFirstLayer(run: RunWithEpochs, epoch: LiveEpoch, side: number): FirstLayerProps {
  const key = `${run.id}@${new Date(run.createdAt).getTime()}`;
  const last = drawnEpochs.get(key);
  const started = performance.now();
  if (
    last && (last.props.live!.checkpoint!.savedAt === epoch.at ||
      started - last.drawnAt < Math.min(REDRAW_AFTER * last.took, REDRAW_WITHIN_MS))
  ) {
    return last.props;
  }
  const { snapshot } = epoch;
  const props: FirstLayerProps = {
    images: snapshot.indices.map((unit, k) => ({ ...unitImage(snapshot.weights, k, side), unit })),
    side,
    units: snapshot.units,
    live: {
      runId: run.id,
      checkpoint: { savedAt: epoch.at, epoch: epoch.epoch, midEpoch: false, perEpoch: true },
    },
  };
  const now = performance.now();
  drawnEpochs.delete(key);
  drawnEpochs.set(key, { props, drawnAt: now, took: now - started });
  if (drawnEpochs.size > KEPT_SAVES) drawnEpochs.delete(drawnEpochs.keys().next().value!);
  return props;
}

/** The weights of the first Linear layer: the first hidden layer's, or the output's without one. */
function firstWeights(state: NamedTensor[], config: RunConfig): NamedTensor | undefined {
  const name = config.model.layers.length ? "hidden.0.linear.weight" : "output.weight";
  return state.find((tensor) => tensor.name === name);
}

function firstLayer(
  tensor: NamedTensor,
  side: number,
  classNames: string[],
  config: RunConfig,
): FirstLayerProps {
  const units = tensor.shape[0];
  const images = firstLayerImages(tensor.data, side, FIRST_LAYER_UNITS);
  if (config.model.layers.length) return { images, side, units };
  // The output layer: one template per class, in class order.
  images.sort((a, b) => a.unit - b.unit);
  return { images, side, units, classNames };
}
