/**
 * `GET /runs/:id/network`: the run page's network parts (`views/runs/run_network_section.tsx`),
 * as a fragment for the page's placeholder or, without htmx, as a page of their own.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { getRun, getWeights } from "../../db/runs.ts";
import type { NamedTensor } from "../../engine/backend.ts";
import { decodeSafetensors } from "../../engine/safetensors.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import { runNetwork } from "../../views/network/run_network.ts";
import type { FirstLayerProps } from "../../views/runs/first_layer.tsx";
import { FIRST_LAYER_UNITS, firstLayerImages } from "../../views/runs/first_layer_images.ts";
import { type RunNetworkProps, RunNetworkSection } from "../../views/runs/run_network_section.tsx";
import { Layout } from "../../views/shell/layout.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { dataFacts, isDigitImages } from "./run_model.ts";

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
  });
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
