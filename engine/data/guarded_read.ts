/**
 * Reading dataset files that a request named, without letting the name take the process down:
 * only regular files and folders (a FIFO would block the read forever, a device such as
 * `/dev/zero` never ends), nothing under `/proc`, `/sys` or `/dev` (their files are generated,
 * and may hold secrets), and never more than a size cap — checked before reading, and again
 * while reading, since a file may grow and a gzip stream may inflate.
 *
 * @module
 */

/** The default cap on one dataset file's bytes (decompressed): 1 GiB. */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 30;

const SYSTEM_FOLDERS = ["/proc", "/sys", "/dev"];

/** Throws unless `path` (symlinks resolved) is outside the kernel's and devices' folders. */
async function checkNotSystem(path: string, what: string): Promise<void> {
  let real = path;
  try {
    real = await Deno.realPath(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const system = SYSTEM_FOLDERS.find((dir) => real === dir || real.startsWith(`${dir}/`));
  if (system) {
    throw new Error(`${what} "${path}" is under ${system}, where no dataset can be read from`);
  }
}

function kind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSocket) return "a socket";
  if (info.isSymlink) return "a symbolic link";
  return "not a regular file";
}

async function statOrExplain(path: string, what: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${what} "${path}" does not exist`);
    throw error;
  }
}

/**
 * Checks that `path` is a regular file of at most `maxBytes`, outside `/proc`, `/sys` and
 * `/dev`; returns its size. `what` names it in errors ("CSV file", "IDX file").
 */
export async function checkRegularFile(
  path: string,
  what: string,
  maxBytes: number,
): Promise<number> {
  await checkNotSystem(path, what);
  const info = await statOrExplain(path, what);
  if (!info.isFile) throw new Error(`${what} "${path}" is ${kind(info)}, not a regular file`);
  if (info.size > maxBytes) {
    throw new Error(
      `${what} "${path}" is ${info.size} bytes, over the limit of ${maxBytes} ` +
        `(AJUSTE_MAX_DATASET_BYTES)`,
    );
  }
  return info.size;
}

/** Checks that `path` is a folder outside `/proc`, `/sys` and `/dev`. */
export async function checkFolder(path: string, what: string): Promise<void> {
  await checkNotSystem(path, what);
  const info = await statOrExplain(path, what);
  if (!info.isDirectory) throw new Error(`${what} "${path}" is ${kind(info)}, not a folder`);
}

/**
 * The bytes of regular file `path` as a stream, gunzipped when `gzip`, failing once more than
 * `maxBytes` came out. The file is checked before it is opened, so a FIFO is never opened.
 */
export async function openCapped(
  path: string,
  what: string,
  maxBytes: number,
  { gzip = false } = {},
): Promise<ReadableStream<Uint8Array>> {
  await checkRegularFile(path, what, maxBytes);
  const file = await Deno.open(path);
  const stream: ReadableStream<Uint8Array> = gzip
    ? file.readable.pipeThrough(new DecompressionStream("gzip"))
    : file.readable;
  let total = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          controller.error(
            new Error(
              `${what} "${path}" gives more than ${maxBytes} bytes${
                gzip ? " once decompressed" : ""
              }, the limit (AJUSTE_MAX_DATASET_BYTES)`,
            ),
          );
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

/** All of regular file `path` (gunzipped when `gzip`), at most `maxBytes`. */
export async function readCapped(
  path: string,
  what: string,
  maxBytes: number,
  options: { gzip?: boolean } = {},
): Promise<Uint8Array> {
  if (!options.gzip) return await readPlainCapped(path, what, maxBytes);
  const stream = await openCapped(path, what, maxBytes, options);
  try {
    return await new Response(stream).bytes();
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(
      options.gzip && !message.includes(path)
        ? `Could not decompress "${path}": ${message}`
        : message,
    );
  }
}

/**
 * A plain file read straight into one buffer of the size it had when checked: a stream's chunks
 * and their concatenation touch every byte twice, which made reading MNIST's 47 MB of images
 * take 0.8-1.2 s in a new process here rather than 0.2-0.3 s. A file that grew since is read on
 * up to the cap.
 */
async function readPlainCapped(path: string, what: string, maxBytes: number): Promise<Uint8Array> {
  const size = await checkRegularFile(path, what, maxBytes);
  using file = await Deno.open(path);
  // One byte more than the size, so that a file that grew is noticed.
  let bytes = new Uint8Array(size + 1);
  let total = 0;
  while (true) {
    if (total === bytes.length) {
      const larger = new Uint8Array(Math.min(2 * total, maxBytes + 1));
      larger.set(bytes);
      bytes = larger;
    }
    const read = await file.read(bytes.subarray(total));
    if (read === null) return bytes.subarray(0, total);
    total += read;
    if (total > maxBytes) {
      throw new Error(
        `${what} "${path}" gives more than ${maxBytes} bytes, the limit (AJUSTE_MAX_DATASET_BYTES)`,
      );
    }
  }
}
