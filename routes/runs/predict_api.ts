/**
 * `POST /api/runs/:id/predict`: a completed image run classifies one drawn or uploaded digit with
 * its stored weights on the CPU reference.
 *
 * The body is a grey-level image, ink bright on a dark ground as in MNIST (dark ink on light paper
 * is turned the right way up, judged by the border):
 * - JSON `{ "pixels": [784 numbers from 0 to 255] }`, a 28×28 image row by row; or
 * - a PNG (`Content-Type: image/png`) of any size up to {@linkcode MAX_PNG_SIDE} pixels a side, in
 *   colour or grey, 8 or 16 bits; colour is taken as its luminance, transparency as seen on white.
 *
 * Either goes through MNIST's own preprocessing (`engine/data/digit_preprocess.ts`: ink fitted to
 * 20×20, centre of mass at the centre of 28×28), then the run's normalisation. The answer:
 * `{ probabilities, predicted, classes, input }`, `input` being the 784 grey levels the model saw.
 *
 * @module
 */

import { convertIndexedToRgb, decode, type DecodedPng } from "fast-png";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  type GrayImage,
  INK_THRESHOLD,
  inkOnDark,
  MNIST_SIDE,
  mnistPreprocess,
} from "../../engine/data/digit_preprocess.ts";
import type { AppContext } from "../context.ts";
import { readJsonBody } from "../shell/json_body.ts";
import { parseRunId } from "../shell/params.ts";
import { digitModel } from "./run_model.ts";

/** A drawn digit is about 3 KB as JSON and less as a PNG. */
export const MAX_PREDICT_BYTES = 64 * 1024;
export const MAX_PNG_SIDE = 1024;
const PIXELS = MNIST_SIDE * MNIST_SIDE;

/** A 400 in the API's `{ error, issues }` shape, naming the field. */
function invalid(path: string, message: string): HTTPException {
  return new HTTPException(400, { message, cause: [{ path, message }] });
}

export function predictApi(ctx: AppContext): Hono {
  return new Hono().post(
    "/:id/predict",
    bodyLimit({
      maxSize: MAX_PREDICT_BYTES,
      onError: () => {
        throw new HTTPException(413, {
          message: `Request body is larger than ${MAX_PREDICT_BYTES} bytes: send one 28×28 image`,
        });
      },
    }),
    async (c) => {
      const id = parseRunId(c.req.param("id"));
      const found = await digitModel(ctx, id);
      if (!found.ok) throw new HTTPException(found.status, { message: found.message });
      const image = inkOnDark(await readImage(c));
      const input = mnistPreprocess(image);
      if (input === null) {
        throw invalid(
          "pixels",
          `The image has no ink: every pixel is ${INK_THRESHOLD} or darker on a dark ground`,
        );
      }
      const { probabilities, predicted } = found.model.predict(input);
      const classes = probabilities.map((_, k) => found.facts.classNames[k] ?? String(k));
      return c.json({
        probabilities,
        predicted,
        classes,
        input: Array.from(input, (value) => Math.round(value)),
      });
    },
  );
}

/** The request's image, as JSON pixels or a PNG, checked field by field. */
async function readImage(c: Context): Promise<GrayImage> {
  const type = c.req.header("Content-Type") ?? "";
  if (/^image\/png\s*(;|$)/i.test(type)) return pngImage(new Uint8Array(await c.req.arrayBuffer()));
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    const got = type ? `"${type}"` : "none";
    throw new HTTPException(415, {
      message: `Content-Type must be application/json or image/png, got ${got}`,
    });
  }
  return jsonImage(await readJsonBody(c));
}

export function jsonImage(body: unknown): GrayImage {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalid("", `The body must be an object {"pixels": [${PIXELS} numbers from 0 to 255]}`);
  }
  const pixels = (body as Record<string, unknown>).pixels;
  if (!Array.isArray(pixels)) {
    throw invalid("pixels", `pixels must be an array of ${PIXELS} numbers from 0 to 255`);
  }
  if (pixels.length !== PIXELS) {
    throw invalid(
      "pixels",
      `pixels must hold ${PIXELS} values (28×28, row by row), got ${pixels.length}`,
    );
  }
  const out = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) {
    const value = pixels[i];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 255) {
      throw invalid(
        `pixels.${i}`,
        `Each pixel must be a number from 0 to 255, got ${JSON.stringify(value)}`,
      );
    }
    out[i] = value;
  }
  return { width: MNIST_SIDE, height: MNIST_SIDE, pixels: out };
}

export function pngImage(bytes: Uint8Array): GrayImage {
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (error) {
    throw invalid("body", `The body is not a PNG image: ${(error as Error).message}`);
  }
  const { width, height } = png;
  if (width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) {
    throw invalid(
      "body",
      `The PNG is ${width}×${height}; at most ${MAX_PNG_SIDE}×${MAX_PNG_SIDE} is read`,
    );
  }
  return { width, height, pixels: grayLevels(png) };
}

/** Grey levels 0–255 of a decoded PNG: luminance (Rec. 601), transparency over white. */
function grayLevels(png: DecodedPng): Float32Array {
  let data: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = 255;
  if (png.palette) {
    // Indexed colour: each pixel's palette entry, RGB or RGBA as the palette has it.
    channels = png.palette[0]?.length ?? 3;
    data = convertIndexedToRgb(png);
  } else if (png.depth === 16) {
    max = 65535;
  } else if (png.depth !== 8) {
    throw invalid(
      "body",
      `The PNG has ${png.depth}-bit grey levels; send it with 8 or 16 bits per channel`,
    );
  }
  const count = png.width * png.height;
  const out = new Float32Array(count);
  const hasAlpha = channels === 2 || channels === 4;
  for (let i = 0; i < count; i++) {
    const at = i * channels;
    const gray = channels >= 3
      ? 0.299 * data[at] + 0.587 * data[at + 1] + 0.114 * data[at + 2]
      : data[at];
    const alpha = hasAlpha ? data[at + channels - 1] / max : 1;
    out[i] = (255 * (gray / max) * alpha) + 255 * (1 - alpha);
  }
  return out;
}
