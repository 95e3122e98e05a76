/**
 * Grayscale images as PNG data URLs, rendered on the server (dataset samples, test examples).
 * Encoded by fast-png (npm, pure JavaScript), the maintained encoder the first layer's colour
 * images and the predict endpoint's decoding already use, in place of the hand-written encoder
 * this file held before.
 *
 * @module
 */

import { encode } from "fast-png";

/** Encodes `width`×`height` gray levels (row-major, one byte each) as a PNG file. */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}×${height}`);
  }
  if (pixels.length !== width * height) {
    throw new RangeError(
      `PNG pixels must hold width × height = ${width * height} bytes, got ${pixels.length}`,
    );
  }
  return encode({ width, height, data: pixels, depth: 8, channels: 1 });
}

/** The PNG as a `data:image/png;base64,…` URL for an `<img src>`. */
export function grayPngDataUrl(pixels: Uint8Array, width: number, height: number): Promise<string> {
  // A promise, as callers await it: encoding used to go through a CompressionStream.
  return Promise.resolve(
    `data:image/png;base64,${toBase64(encodeGrayPng(pixels, width, height))}`,
  );
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode's argument count well under engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
