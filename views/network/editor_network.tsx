/**
 * The New run form's network diagram, drawn from the form's values as they stand. It sits in the
 * form, so every redraw of the form (on change, `/runs/new/validate`) redraws it; the layer
 * buttons, which swap only the layer table, send it along as an `hx-partial`.
 *
 * @module
 */

import { MAX_UNITS } from "../../config/schema.ts";
import type { DatasetInfo } from "../../engine/data/load.ts";
import { ACTIVATIONS, type LayerSpec, LOSSES, type LossName } from "../../engine/spec.ts";
import { layerCount } from "../run_editor/run_form_state.ts";
import type { FormValues } from "../run_editor/form_values.ts";
import { useEditorAction } from "../shell/field_slot.ts";
import { NetworkDiagram } from "./network_diagram.tsx";
import { runNetwork } from "./run_network.ts";

export const EDITOR_NETWORK_ID = "network-preview";

/** The hidden layers the form describes, or null while a layer's units are not a valid count. */
export function formLayers(values: FormValues): LayerSpec[] | null {
  const layers: LayerSpec[] = [];
  for (let i = 0; i < layerCount(values); i++) {
    const field = (name: string) => values[`model.layers.${i}.${name}`]?.trim() ?? "";
    const units = Number(field("units"));
    if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS) return null;
    const activation = ACTIVATIONS.find((name) => name === field("activation")) ?? "relu";
    const dropout = Number(field("dropout") || 0);
    const checked = field("batchNorm");
    layers.push({
      units,
      activation,
      batchNorm: checked !== "" && checked !== "false",
      dropout: dropout > 0 && dropout < 1 ? dropout : 0,
    });
  }
  return layers;
}

export function EditorNetwork(props: { values: FormValues; datasets: DatasetInfo[] }) {
  // The study form's base run may search the layers themselves: no single network to draw.
  if (!useEditorAction().fragments) return null;
  const { values } = props;
  const layers = formLayers(values);
  const info = props.datasets.find((candidate) => candidate.id === values["data.dataset"]);
  const loss = (LOSSES as readonly string[]).includes(values.loss)
    ? values.loss as LossName
    : "cross_entropy";
  return (
    <div id={EDITOR_NETWORK_ID} class="network-card">
      <h3>Network</h3>
      {layers === null
        ? <p class="muted">The diagram returns once every layer has a whole number of units.</p>
        : (
          <NetworkDiagram
            id="network-diagram"
            shape={runNetwork({ layers }, loss, info ?? null)}
          />
        )}
    </div>
  );
}
