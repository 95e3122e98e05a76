/**
 * The run page's look inside the network: the diagram for every run and, for a completed run of
 * 28×28 images, what its first layer learned and a canvas to draw a digit on. The page holds a
 * placeholder that fetches these (`/runs/:id/network`) once it has loaded, so the page itself
 * needs no weights read, and a body swapped in when a run finishes fetches them again.
 *
 * @module
 */

import { NetworkDiagram } from "../network/network_diagram.tsx";
import type { NetworkShape } from "../network/network_shape.ts";
import { DrawDigit } from "./draw_digit.tsx";
import { FirstLayer, type FirstLayerProps } from "./first_layer.tsx";

export const RUN_NETWORK_ID = "run-network";

export function RunNetworkPlaceholder(props: { id: number }) {
  const href = `/runs/${props.id}/network`;
  return (
    <div id={RUN_NETWORK_ID} hx-get={href} hx-trigger="load" hx-swap="outerHTML">
      <p class="card muted">
        <a href={href}>The network, what its first layer learned, and drawing a digit</a>
      </p>
    </div>
  );
}

export interface RunNetworkProps {
  id: number;
  shape: NetworkShape;
  firstLayer?: FirstLayerProps;
  /** Class names, when digits can be drawn for this run. */
  draw?: string[];
}

export function RunNetworkSection(props: RunNetworkProps) {
  return (
    <div id={RUN_NETWORK_ID} class="run-network">
      <section class="card network-card">
        <h2>Network</h2>
        <p class="help">Hover or focus a layer for its numbers.</p>
        <NetworkDiagram id="run-network-diagram" shape={props.shape} />
      </section>
      {props.firstLayer && <FirstLayer {...props.firstLayer} />}
      {props.draw && <DrawDigit id={props.id} classNames={props.draw} />}
    </div>
  );
}
