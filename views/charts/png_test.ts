import assert from "node:assert/strict";
import { crc32, encodeGrayPng, grayPngDataUrl } from "./png.ts";

interface Chunk {
  type: string;
  data: Uint8Array<ArrayBuffer>;
  crc: number;
}

function readChunks(png: Uint8Array<ArrayBuffer>): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  for (let offset = 8; offset < png.length;) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    chunks.push({ type, data, crc: view.getUint32(offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return await new Response(stream).bytes();
}

Deno.test("crc32() matches the standard check value for '123456789'", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodeGrayPng() writes the PNG signature and an 8-bit grayscale IHDR", async () => {
  const png = await encodeGrayPng(new Uint8Array(28 * 3), 28, 3);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = readChunks(png);
  assert.deepEqual(chunks.map((chunk) => chunk.type), ["IHDR", "IDAT", "IEND"]);
  const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
  assert.equal(ihdr.getUint32(0), 28, "width");
  assert.equal(ihdr.getUint32(4), 3, "height");
  assert.deepEqual([...chunks[0].data.subarray(8)], [8, 0, 0, 0, 0]);
  for (const chunk of chunks) {
    const typed = new Uint8Array([...new TextEncoder().encode(chunk.type), ...chunk.data]);
    assert.equal(chunk.crc, crc32(typed), `${chunk.type} CRC`);
  }
});

Deno.test("encodeGrayPng() stores the pixels as zlib-compressed scanlines", async () => {
  const pixels = Uint8Array.from({ length: 4 * 2 }, (_, i) => i * 30);
  const idat = readChunks(await encodeGrayPng(pixels, 4, 2))[1];
  const scanlines = await inflate(idat.data);
  assert.deepEqual([...scanlines], [0, 0, 30, 60, 90, 0, 120, 150, 180, 210]);
});

Deno.test("encodeGrayPng() rejects pixel counts that do not match the size", async () => {
  await assert.rejects(() => encodeGrayPng(new Uint8Array(10), 3, 3), /9 bytes, got 10/);
  await assert.rejects(() => encodeGrayPng(new Uint8Array(0), 0, 0), /positive integers/);
});

Deno.test("grayPngDataUrl() is a base64 data URL of the PNG", async () => {
  const pixels = new Uint8Array(28 * 28).fill(255);
  const url = await grayPngDataUrl(pixels, 28, 28);
  assert.match(url, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const bytes = Uint8Array.from(atob(url.split(",")[1]), (char) => char.charCodeAt(0));
  assert.deepEqual(bytes, await encodeGrayPng(pixels, 28, 28));
});
