/**
 * The `gradientClipping` part of the run config: torch.nn.utils.clip_grad_norm_(parameters,
 * max_norm, norm_type=2.0) or clip_grad_value_(parameters, clip_value), with torch's names and
 * its one default (norm type 2). Null or left out, nothing is clipped.
 *
 * @module
 */

import { z } from "zod";
import type { ClipByNorm, ClipByValue } from "../engine/spec.ts";
import { boundedNumber, type Equals, show, strictObject, taggedUnionError } from "./fields.ts";

export const CLIP_TYPES = ["norm", "value"] as const;

/** A p-norm's order p ≥ 1, or "inf" (JSON has no Infinity; torch takes the string too). */
const normTypeError = (iss: { input?: unknown }) =>
  `Norm type must be a number of at least 1 or "inf", got ${show(iss.input)}`;
const normType = z.union([z.literal("inf"), boundedNumber("Norm type", { min: 1 })], {
  error: normTypeError,
});

const byNormSchema = strictObject("norm clipping", {
  type: z.literal("norm"),
  maxNorm: boundedNumber("Max norm", { min: 0, minExclusive: true }),
  normType: normType.default(2),
}, '{"type": "norm", "maxNorm": 1}');

const byValueSchema = strictObject("value clipping", {
  type: z.literal("value"),
  clipValue: boundedNumber("Clip value", { min: 0, minExclusive: true }),
}, '{"type": "value", "clipValue": 0.5}');

export const gradientClippingSchema = z.discriminatedUnion("type", [byNormSchema, byValueSchema], {
  error: taggedUnionError(
    "Gradient clipping",
    CLIP_TYPES,
    '{"type": "norm", "maxNorm": 1} (or null for none)',
  ),
});

type Output = z.output<typeof gradientClippingSchema>;
true satisfies Equals<Extract<Output, { type: "norm" }>, ClipByNorm>;
true satisfies Equals<Extract<Output, { type: "value" }>, ClipByValue>;
