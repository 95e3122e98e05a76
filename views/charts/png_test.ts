import assert from "node:assert/strict";
import { decode } from "fast-png";
import { encodeGrayPng, grayPngDataUrl } from "./png.ts";

Deno.test("encodeGrayPng() writes an 8-bit grayscale PNG that decodes to the same pixels", () => {
  const pixels = Uint8Array.from({ length: 28 * 3 }, (_, i) => (i * 37) % 256);
  const png = encodeGrayPng(pixels, 28, 3);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const image = decode(png);
  assert.equal(image.width, 28);
  assert.equal(image.height, 3);
  assert.equal(image.channels, 1);
  assert.equal(image.depth, 8);
  assert.deepEqual([...image.data], [...pixels]);
});

Deno.test("encodeGrayPng() rejects pixel counts that do not match the size", () => {
  assert.throws(() => encodeGrayPng(new Uint8Array(10), 3, 3), /9 bytes, got 10/);
  assert.throws(() => encodeGrayPng(new Uint8Array(0), 0, 0), /positive integers/);
});

Deno.test("grayPngDataUrl() is a base64 data URL of the PNG", async () => {
  const pixels = new Uint8Array(28 * 28).fill(255);
  const url = await grayPngDataUrl(pixels, 28, 28);
  assert.match(url, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const bytes = Uint8Array.from(atob(url.slice(url.indexOf(",") + 1)), (c) => c.charCodeAt(0));
  assert.deepEqual([...decode(bytes).data], [...pixels]);
});
