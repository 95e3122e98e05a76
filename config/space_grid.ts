/**
 * The grid of a search space: every valid combination, numbered. A flat space is the product of
 * its parameters' values (as Optuna's GridSampler); a choice with a sub-space adds that
 * sub-space's grid only to the points that take the choice, and a depth entry has, for each
 * number of layers, the product of its searched fields over those layers. So a grid over
 * `optimizer.type` with momentum searched only for SGD never pairs Adam with a momentum.
 *
 * @module
 */

import type { ParamValue } from "../tuner/frozen_trial.ts";
import { gridFromSpace } from "../tuner/from_spec.ts";
import { type GridPoints, productPoints } from "../tuner/samplers/grid.ts";
import {
  choiceKey,
  LAYER_COUNT_PARAM,
  LAYER_FIELDS,
  type LayersEntry,
  type ParamSpec,
  type SpaceSpec,
} from "./space_schema.ts";
import { isParamSpec, layerParamName } from "./space_walk.ts";

/** Points numbered 0 to size − 1; `at` writes point k's parameters into `into`. */
interface Node {
  size: number;
  at(k: number, into: Record<string, ParamValue>): void;
}

const EMPTY: Node = { size: 1, at: () => {} };

function fixed(name: string, value: ParamValue): Node {
  return { size: 1, at: (_, into) => into[name] = value };
}

function axis(name: string, param: ParamSpec): Node {
  const values = gridFromSpace({ [name]: param })[name];
  return { size: values.size, at: (k, into) => into[name] = values.at(k) };
}

/** All combinations of `nodes`, the last varying fastest. */
function product(nodes: Node[]): Node {
  return {
    size: nodes.reduce((size, node) => size * node.size, 1),
    at(k, into) {
      let rest = k;
      for (let i = nodes.length - 1; i >= 0; i--) {
        nodes[i].at(rest % nodes[i].size, into);
        rest = Math.floor(rest / nodes[i].size);
      }
    },
  };
}

/** The points of `nodes` one after another. */
function alternatives(nodes: Node[]): Node {
  return {
    size: nodes.reduce((size, node) => size + node.size, 0),
    at(k, into) {
      let rest = k;
      for (const node of nodes) {
        if (rest < node.size) return node.at(rest, into);
        rest -= node.size;
      }
    },
  };
}

function layers(entry: LayersEntry): Node {
  const counts = Array.from({ length: entry.high - entry.low + 1 }, (_, i) => entry.low + i);
  return alternatives(counts.map((count) => {
    const fields: Node[] = [fixed(LAYER_COUNT_PARAM, count)];
    for (let index = 0; index < count; index++) {
      for (const field of LAYER_FIELDS) {
        const param = entry.layer[field];
        if (isParamSpec(param)) fields.push(axis(layerParamName(index, field), param));
      }
    }
    return product(fields);
  }));
}

function spaceNode(space: SpaceSpec): Node {
  // Sorted as Optuna's grid sorts names, so a flat space numbers its points as it always has.
  const entries = Object.entries(space).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return product(entries.map(([path, entry]) => {
    if (entry.type === "layers") return layers(entry);
    if (entry.type !== "categorical" || !entry.when) return axis(path, entry as ParamSpec);
    return alternatives(entry.choices.map((choice) => {
      const branch = entry.when?.[choiceKey(choice)];
      return product([fixed(path, choice), branch ? spaceNode(branch) : EMPTY]);
    }));
  }));
}

/** How many points the grid of `space` has (Infinity past what a double holds). */
export function gridSize(space: SpaceSpec): number {
  return spaceNode(space).size;
}

/** The grid of `space`, for `new GridSampler(spaceGrid(space))`. */
export function spaceGrid(space: SpaceSpec): GridPoints {
  const flat = Object.values(space).every((entry) =>
    entry.type !== "layers" && !(entry.type === "categorical" && entry.when)
  );
  // Recorded as before sub-spaces existed, so a grid study started then resumes where it was.
  if (flat) return productPoints(gridFromSpace(space as Record<string, ParamSpec>));
  const node = spaceNode(space);
  return {
    size: node.size,
    description: space,
    at(id) {
      const point: Record<string, ParamValue> = {};
      node.at(id, point);
      return point;
    },
  };
}
