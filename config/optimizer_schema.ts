/**
 * The optimizer part of the run config, one variant per torch.optim class with its defaults
 * and argument checks (torch 2.x):
 * SGD https://pytorch.org/docs/stable/generated/torch.optim.SGD.html,
 * RMSprop https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html,
 * Adam https://pytorch.org/docs/stable/generated/torch.optim.Adam.html,
 * AdamW https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html.
 *
 * @module
 */

import { z } from "zod";
import type { AdamSpec, OptimizerSpec, RmspropSpec, SgdSpec } from "../engine/spec.ts";
import {
  boundedNumber,
  type Equals,
  flag,
  show,
  strictObject,
  taggedUnionError,
} from "./fields.ts";

export const OPTIMIZER_TYPES = ["sgd", "rmsprop", "adam", "adamw"] as const;

const learningRate = (torchDefault: number) =>
  boundedNumber("Learning rate", { min: 0, minExclusive: true }).default(torchDefault);
const weightDecay = (torchDefault: number) =>
  boundedNumber("Weight decay", { min: 0 }).default(torchDefault);
const eps = () => boundedNumber("Eps", { min: 0, minExclusive: true }).default(1e-8);
const momentum = () => boundedNumber("Momentum", { min: 0 }).default(0);
const beta = (label: string) => boundedNumber(label, { min: 0, max: 1, maxExclusive: true });

const betas = z.tuple([beta("Beta 1"), beta("Beta 2")], {
  error: (iss) =>
    `Betas must be a pair [beta1, beta2] such as [0.9, 0.999], got ${show(iss.input)}`,
}).default([0.9, 0.999]);

const sgdSchema = strictObject("sgd optimizer", {
  type: z.literal("sgd"),
  lr: learningRate(1e-3),
  momentum: momentum(),
  dampening: boundedNumber("Dampening", { min: 0, max: 1 }).default(0),
  weightDecay: weightDecay(0),
  nesterov: flag("Nesterov").default(false),
}, '{"type": "sgd", "lr": 0.01, "momentum": 0.9}').superRefine((sgd, ctx) => {
  if (sgd.nesterov && (sgd.momentum <= 0 || sgd.dampening !== 0)) {
    ctx.addIssue({
      code: "custom",
      path: ["nesterov"],
      message: "Nesterov momentum requires a momentum and zero dampening, " +
        `got momentum ${sgd.momentum} and dampening ${sgd.dampening}`,
      input: sgd.nesterov,
    });
  }
});

const rmspropSchema = strictObject("rmsprop optimizer", {
  type: z.literal("rmsprop"),
  lr: learningRate(1e-2),
  alpha: boundedNumber("Alpha", { min: 0, max: 1, maxExclusive: true }).default(0.99),
  eps: eps(),
  weightDecay: weightDecay(0),
  momentum: momentum(),
  centered: flag("Centered").default(false),
}, '{"type": "rmsprop", "lr": 0.01}');

/** Adam and AdamW share their arguments; only AdamW's weight decay default differs. */
function adamShape<const T extends z.ZodType<"adam" | "adamw">>(type: T, decayDefault: number) {
  return {
    type,
    lr: learningRate(1e-3),
    betas,
    eps: eps(),
    weightDecay: weightDecay(decayDefault),
    amsgrad: flag("Amsgrad").default(false),
  };
}

// An optimizer written without a type is Adam: `type` may be absent only in this variant.
const adamSchema = strictObject(
  "adam optimizer (the default type)",
  adamShape(z.literal("adam").optional().default("adam"), 0),
  '{"type": "adam", "lr": 0.001}',
);

const adamwSchema = strictObject(
  "adamw optimizer",
  adamShape(z.literal("adamw"), 1e-2),
  '{"type": "adamw", "lr": 0.001}',
);

export const optimizerSchema = z.discriminatedUnion(
  "type",
  [sgdSchema, rmspropSchema, adamSchema, adamwSchema],
  { error: taggedUnionError("Optimizer", OPTIMIZER_TYPES, '{"type": "adam", "lr": 0.001}') },
);

// The schema's variants must stay exactly the engine's optimizer specs (see schema.ts).
type Output = z.output<typeof optimizerSchema>;
type Variant<T extends OptimizerSpec["type"]> = Extract<Output, { type: T }>;
type AdamOf<T extends AdamSpec["type"]> = {
  [K in keyof AdamSpec]: K extends "type" ? T : AdamSpec[K];
};
true satisfies Equals<Variant<"sgd">, SgdSpec>;
true satisfies Equals<Variant<"rmsprop">, RmspropSpec>;
true satisfies Equals<Variant<"adam">, AdamOf<"adam">>;
true satisfies Equals<Variant<"adamw">, AdamOf<"adamw">>;
true satisfies Equals<Output["type"], OptimizerSpec["type"]>;
