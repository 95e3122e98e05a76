/**
 * Keeps `device: "auto"`'s calibration per machine in a small JSON file, so the server, its
 * engine processes and the next start read it instead of measuring again. Entries are keyed by
 * what the figures depend on (processor, cores, CPU kernels, adapter, Deno, this code's
 * version); a key that changed is measured afresh. Processes that start together measure once:
 * the first takes a lock file, the others wait for its result (and measure themselves if it
 * does not come). Where the file may not be read or written, every process measures for itself.
 *
 * `AJUSTE_CALIBRATION_FILE` names the file; by default it is
 * `$XDG_CACHE_HOME/ajuste/device-calibration.json` (`~/.cache/…`).
 *
 * @module
 */

import type { Calibration } from "./calibration.ts";
import { readEnv } from "./env.ts";

/** Bumped when what is measured changes, so older entries are measured again. */
export const CALIBRATION_VERSION = 2;

/** How long a lock is honoured: a measurement takes seconds, so an older one is stale. */
const LOCK_STALE_MS = 60_000;
const POLL_MS = 200;

/** The calibration file, or null where neither a path nor a home directory can be read. */
export function calibrationFile(): string | null {
  const named = readEnv("AJUSTE_CALIBRATION_FILE");
  if (named) return named;
  const cache = readEnv("XDG_CACHE_HOME") ||
    (readEnv("HOME") ? `${readEnv("HOME")}/.cache` : undefined);
  return cache ? `${cache}/ajuste/device-calibration.json` : null;
}

/** What the figures depend on, as one string. */
export function calibrationKey(parts: { cpu: string; adapter: string | null }): string {
  return [
    `v${CALIBRATION_VERSION}`,
    processorName(),
    `${navigator.hardwareConcurrency} cores`,
    parts.cpu,
    parts.adapter ?? "no adapter",
    `Deno ${Deno.version.deno}`,
  ].join(" | ");
}

function processorName(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? Deno.build.arch;
  } catch {
    return Deno.build.arch;
  }
}

/** The entry for `key` in `path`, or null (absent, unreadable or malformed). */
export async function readCalibration(path: string, key: string): Promise<Calibration | null> {
  try {
    const entries = JSON.parse(await Deno.readTextFile(path));
    const entry = entries?.[key];
    return entry?.key === key && Array.isArray(entry.candidates) &&
        entry.candidates.length > 0 && entry.candidates.every(wellFormed)
      ? entry
      : null;
  } catch {
    return null;
  }
}

/** Figures `auto` can predict from (an entry written by other code may lack some). */
function wellFormed(figures: Record<string, unknown>): boolean {
  const positive = (name: string) =>
    typeof figures[name] === "number" && Number.isFinite(figures[name]) &&
    (figures[name] as number) >= 0;
  return (figures.backend === "cpu" || figures.backend === "webgpu") &&
    typeof figures.description === "string" &&
    ["stepSeconds", "parametersPerSecond", "flopsPerSecond", "epochSeconds"].every(positive) &&
    (figures.parametersPerSecond as number) > 0 && (figures.flopsPerSecond as number) > 0;
}

/** Adds `calibration` to `path` (written whole, then renamed over it); false where it may not. */
export async function writeCalibration(path: string, calibration: Calibration): Promise<boolean> {
  try {
    let entries: Record<string, Calibration> = {};
    try {
      const read = JSON.parse(await Deno.readTextFile(path));
      if (read && typeof read === "object" && !Array.isArray(read)) entries = read;
    } catch {
      // absent or malformed: start afresh
    }
    entries[calibration.key] = calibration;
    await Deno.mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${Deno.pid}.tmp`;
    await Deno.writeTextFile(temporary, JSON.stringify(entries, null, 1));
    await Deno.rename(temporary, path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The calibration for `key`: read from `path`, else measured by `measure` and written there.
 * `path` null measures without a file.
 */
export async function cachedCalibration(
  path: string | null,
  key: string,
  measure: () => Promise<Calibration>,
): Promise<Calibration> {
  if (!path) return await measure();
  const found = await readCalibration(path, key);
  if (found) return found;
  const lock = `${path}.lock`;
  if (!await takeLock(lock)) {
    const waited = await waitFor(path, key, lock);
    if (waited) return waited;
  }
  try {
    const calibration = await measure();
    await writeCalibration(path, calibration);
    return calibration;
  } finally {
    await Deno.remove(lock).catch(() => {});
  }
}

/** Creates `lock`; false when another process holds a fresh one (a stale one is taken over). */
async function takeLock(lock: string): Promise<boolean> {
  try {
    await Deno.mkdir(dirname(lock), { recursive: true });
    (await Deno.open(lock, { createNew: true, write: true })).close();
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) return true; // no file to share: measure
    const age = await Deno.stat(lock).then((s) => Date.now() - (s.mtime?.getTime() ?? 0))
      .catch(() => Infinity);
    if (age < LOCK_STALE_MS) return false;
    await Deno.remove(lock).catch(() => {});
    return true;
  }
}

/** The other process's result, once its lock is gone; null if it never comes. */
async function waitFor(path: string, key: string, lock: string): Promise<Calibration | null> {
  const deadline = Date.now() + LOCK_STALE_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const found = await readCalibration(path, key);
    if (found) return found;
    const held = await Deno.stat(lock).then(() => true, () => false);
    if (!held) return await readCalibration(path, key);
  }
  return null;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash > 0 ? path.slice(0, slash) : ".";
}
