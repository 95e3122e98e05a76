/**
 * A minimal PNG encoder for 8-bit grayscale images, enough to show dataset samples as data URLs
 * rendered on the server. Implements the PNG specification (W3C, 2nd edition): signature, IHDR,
 * one zlib-compressed IDAT of unfiltered scanlines, IEND.
 *
 * @module
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GRAYSCALE = 0;

/** Encodes `width`×`height` gray levels (row-major, one byte each) as a PNG file. */
export async function encodeGrayPng(
  pixels: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}×${height}`);
  }
  if (pixels.length !== width * height) {
    throw new RangeError(
      `PNG pixels must hold width × height = ${width * height} bytes, got ${pixels.length}`,
    );
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, GRAYSCALE, 0, 0, 0], 8); // bit depth, colour type, deflate, filter set 0, no interlace

  // Each scanline starts with its filter type; 0 (None) keeps the encoder trivial.
  const scanlines = new Uint8Array((width + 1) * height);
  for (let row = 0; row < height; row++) {
    scanlines.set(pixels.subarray(row * width, (row + 1) * width), row * (width + 1) + 1);
  }
  // "deflate" in the Compression Streams standard is the zlib format PNG's IDAT requires.
  const compressed = await new Response(
    new Blob([scanlines]).stream().pipeThrough(new CompressionStream("deflate")),
  ).bytes();

  return concat([
    Uint8Array.from(SIGNATURE),
    chunk("IHDR", header),
    chunk("IDAT", compressed),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** The PNG as a `data:image/png;base64,…` URL for an `<img src>`. */
export async function grayPngDataUrl(
  pixels: Uint8Array,
  width: number,
  height: number,
): Promise<string> {
  return `data:image/png;base64,${toBase64(await encodeGrayPng(pixels, width, height))}`;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the chunk type and data, not the length.
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) as in the PNG specification's annex D. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode's argument count well under engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
