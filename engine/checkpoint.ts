/**
 * A run's full training state between two epochs, as {@linkcode train} saves it and resumes from:
 * weights and batch-norm statistics, optimizer moments and step counts, the lr scheduler's
 * state, early stopping's state and kept best weights, the loss divergence is judged against,
 * and the epoch. Batch order and dropout masks are pure functions of (seed, epoch, step)
 * (`engine/random.ts`), so the epoch (and the step, inside a long epoch split into parts) is
 * every RNG position there is. Resumed on the same backend, a run ends bit for bit as it would
 * have uninterrupted; from an epoch's end, on the other backend too (not bit for bit).
 *
 * Stored as a safetensors file (`encodeCheckpoint`): tensors `model.<name>`, `best.<name>` and
 * `optimizer.<key>.<i>` (i: the parameter's index), and in `__metadata__` the run config and a
 * JSON record of the rest, so a checkpoint is also readable with `safetensors.torch.load_file`.
 *
 * @module
 */

import type { NamedTensor } from "./backend.ts";
import type { EarlyStoppingState } from "./early_stopping.ts";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
import type { SchedulerState } from "./schedule/scheduler_state.ts";
import type { RunConfig } from "./spec.ts";

/** An optimizer's state: torch's per-parameter tensors by key, and its step counts. */
export interface OptimizerCheckpoint {
  /** Optimizer steps taken (torch's `state["step"]`). */
  steps: number;
  /** Whether a step so far used momentum (SGD's first step with it copies the gradient). */
  momentumUsed: boolean;
  /** `exp_avg`, `momentum_buffer`, … : one tensor per parameter, in parameter order. */
  state: Record<string, Float32Array[]>;
}

/**
 * Where a session paused inside an epoch (a long epoch split for checkpoints): the steps done and
 * what the epoch has summed so far, in the backend's own form, so only the backend that saved it
 * can go on from it.
 */
export interface EpochPosition {
  backend: "cpu" | "webgpu";
  /** The 0-based epoch in progress. */
  epoch: number;
  /** Its steps done. */
  step: number;
  /** CPU: the loss sum, correct count and rows seen so far. */
  sums?: number[];
  /** GPU: the epoch status and per-row metric slots, as on the device. */
  bytes?: Uint8Array;
  /** GPU: the counters and schedule at the epoch's start, from which it re-encodes the epoch. */
  epochStart?: { scheduler: SchedulerState; optimizerSteps: number; momentumUsed: boolean };
  /**
   * The hidden layers' Linear weights at the epoch's start, for layer statistics' update ratio
   * (`engine/layer_stats.ts`); absent when the run computes none.
   */
  startWeights?: NamedTensor[];
}

/** Refuses a position inside an epoch that `backend` did not save (only it can go on from it). */
export function assertOwnPosition(
  position: EpochPosition | undefined,
  backend: EpochPosition["backend"],
): void {
  if (!position || position.backend === backend) return;
  const epoch = position.epoch + 1;
  throw new Error(
    `The checkpoint was saved inside epoch ${epoch} by the ${position.backend} backend; only ` +
      `that backend can go on from inside an epoch`,
  );
}

/** What a training session holds between epochs (`TrainingSession.checkpoint`). */
export interface SessionCheckpoint {
  /** Epochs trained (the session's count, checked against the run's). */
  epochs: number;
  /** Set when the session is paused inside the next epoch. */
  position?: EpochPosition;
  /** Parameters then buffers, as `getState()` gives them. */
  weights: NamedTensor[];
  optimizer: OptimizerCheckpoint;
  scheduler: SchedulerState;
  /** Early stopping's best weights so far; null when none are kept. */
  best: NamedTensor[] | null;
}

/** Everything `train()` needs to go on after `epoch` as if it had never stopped. */
export interface TrainingCheckpoint {
  /** The last epoch trained (1-based). */
  epoch: number;
  /** The config it trained with (a continued run may add epochs to it; nothing else). */
  config: RunConfig;
  session: SessionCheckpoint;
  earlyStopping: EarlyStoppingState | null;
  /** The first epoch's loss that later ones are judged against (`divergence.ts`); null inside it. */
  startLoss: number | null;
}

const FORMAT = 1;
const KEYS = { checkpoint: "ajuste.checkpoint", config: "ajuste.config" } as const;

/** The record in `__metadata__`: all of the checkpoint but its tensors. */
interface CheckpointRecord {
  format: number;
  epoch: number;
  sessionEpochs: number;
  steps: number;
  momentumUsed: boolean;
  optimizerKeys: string[];
  scheduler: SchedulerState;
  earlyStopping: EarlyStoppingState | null;
  startLoss: number | null;
  weights: string[];
  best: string[] | null;
  /** The position inside an epoch, its bytes in base64, its start weights' names. */
  position?: Omit<EpochPosition, "bytes" | "startWeights"> & {
    bytes?: string;
    startWeights?: string[];
  };
}

export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  const { session } = checkpoint;
  const tensors: NamedTensor[] = session.weights.map((t) => ({ ...t, name: `model.${t.name}` }));
  for (const t of session.best ?? []) tensors.push({ ...t, name: `best.${t.name}` });
  const optimizerKeys = Object.keys(session.optimizer.state);
  for (const key of optimizerKeys) {
    session.optimizer.state[key].forEach((data, i) => {
      tensors.push({ name: `optimizer.${key}.${i}`, shape: [data.length], data });
    });
  }
  const record: CheckpointRecord = {
    format: FORMAT,
    epoch: checkpoint.epoch,
    sessionEpochs: session.epochs,
    steps: session.optimizer.steps,
    momentumUsed: session.optimizer.momentumUsed,
    optimizerKeys,
    scheduler: session.scheduler,
    earlyStopping: checkpoint.earlyStopping,
    startLoss: checkpoint.startLoss,
    weights: session.weights.map((t) => t.name),
    best: session.best?.map((t) => t.name) ?? null,
  };
  if (session.position) {
    const { bytes, startWeights, ...rest } = session.position;
    record.position = {
      ...rest,
      ...(bytes ? { bytes: toBase64(bytes) } : {}),
      ...(startWeights ? { startWeights: startWeights.map((t) => t.name) } : {}),
    };
    for (const t of startWeights ?? []) tensors.push({ ...t, name: `epoch_start.${t.name}` });
  }
  return encodeSafetensors(tensors, {
    format: "pt",
    [KEYS.checkpoint]: JSON.stringify(record, (_, value) => encodeNumber(value)),
    [KEYS.config]: JSON.stringify(checkpoint.config),
  });
}

/** Reads {@linkcode encodeCheckpoint}'s bytes; an Error says what is missing or malformed. */
export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  const { state, metadata } = decodeSafetensors(bytes);
  const json = metadata[KEYS.checkpoint];
  if (json === undefined) throw new Error("This safetensors file is not an ajuste checkpoint");
  const record = JSON.parse(json, (_, value) => decodeNumber(value)) as CheckpointRecord;
  if (record.format !== FORMAT) {
    throw new Error(`Checkpoint format ${record.format} is not this version's (${FORMAT})`);
  }
  const byName = new Map(state.map((t) => [t.name, t]));
  const take = (name: string): NamedTensor => {
    const tensor = byName.get(name);
    if (!tensor) throw new Error(`The checkpoint lacks tensor "${name}"`);
    return tensor;
  };
  const named = (prefix: string, names: string[]) =>
    names.map((name) => ({ ...take(`${prefix}.${name}`), name }));
  const optimizerState: Record<string, Float32Array[]> = {};
  for (const key of record.optimizerKeys) {
    const tensors: Float32Array[] = [];
    for (let i = 0; byName.has(`optimizer.${key}.${i}`); i++) {
      tensors.push(take(`optimizer.${key}.${i}`).data);
    }
    optimizerState[key] = tensors;
  }
  return {
    epoch: record.epoch,
    config: JSON.parse(metadata[KEYS.config]) as RunConfig,
    session: {
      epochs: record.sessionEpochs,
      weights: named("model", record.weights),
      optimizer: {
        steps: record.steps,
        momentumUsed: record.momentumUsed,
        state: optimizerState,
      },
      scheduler: record.scheduler,
      best: record.best === null ? null : named("best", record.best),
      ...(record.position
        ? { position: fromRecord(record.position, (names) => named("epoch_start", names)) }
        : {}),
    },
    earlyStopping: record.earlyStopping,
    startLoss: record.startLoss,
  };
}

/**
 * Why `resumed` cannot go on from a checkpoint of `saved`, or null when it can: the same run,
 * with at least as many epochs (a continued run adds some) and any name or device.
 */
export function resumeConflict(saved: RunConfig, resumed: RunConfig, epoch: number): string | null {
  if (resumed.epochs < epoch) {
    return `the checkpoint is after epoch ${epoch}, but the run trains ${resumed.epochs} epochs`;
  }
  const core = (config: RunConfig) => {
    const { name: _name, device: _device, epochs: _epochs, ...rest } = config;
    return canonical(rest);
  };
  const a = core(saved);
  const b = core(resumed);
  if (a === b) return null;
  const keys = new Set([...Object.keys(JSON.parse(a)), ...Object.keys(JSON.parse(b))]);
  const differing = [...keys].filter((key) =>
    canonical((JSON.parse(a) as Record<string, unknown>)[key]) !==
      canonical((JSON.parse(b) as Record<string, unknown>)[key])
  );
  return `the checkpoint was saved by a run with other settings (${differing.join(", ")})`;
}

/** JSON with object keys sorted, so two equal configs compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x < y ? -1 : x > y ? 1 : 0))
        : v,
  ) ?? "undefined";
}

function fromRecord(
  position: NonNullable<CheckpointRecord["position"]>,
  tensors: (names: string[]) => NamedTensor[],
): EpochPosition {
  const { bytes, startWeights, ...rest } = position;
  return {
    ...rest,
    ...(bytes === undefined ? {} : { bytes: fromBase64(bytes) }),
    ...(startWeights === undefined ? {} : { startWeights: tensors(startWeights) }),
  };
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** JSON has no ±Infinity or NaN: they travel as tagged strings in the record. */
function encodeNumber(value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? `#${value}` : value;
}

function decodeNumber(value: unknown): unknown {
  if (value === "#Infinity") return Infinity;
  if (value === "#-Infinity") return -Infinity;
  if (value === "#NaN") return NaN;
  return value;
}
