/**
 * What a unit of work may take, from environment variables, validated once at start by every
 * process that queues or trains runs (`deno task start`, `work`, `tune`, `train`):
 *
 * | variable                   | default            | meaning                                      |
 * | -------------------------- | ------------------ | -------------------------------------------- |
 * | `AJUSTE_MEMORY_BUDGET`     | half the RAM       | bytes one run may take on this host          |
 * | `AJUSTE_MAX_DATASET_BYTES` | 1 GiB              | size of an `idx:`/`csv:` file that is read   |
 * | `AJUSTE_MAX_QUEUED`        | 1000               | runs waiting in one database's queue         |
 * | `AJUSTE_LEASE_SECONDS`     | 15                 | a claimed run's lease, renewed every third   |
 * | `AJUSTE_LOAD_TIMEOUT`      | 120                | seconds a run's data may take to load        |
 * | `AJUSTE_CHECKPOINT_SECONDS`| 10                 | seconds between a run's saved states (0: each epoch) |
 *
 * Sizes take a unit: `512MiB`, `8GiB`, `2GB` or plain bytes.
 *
 * @module
 */

import { z } from "zod";

export interface JobLimits {
  memoryBudgetBytes: number;
  maxDatasetBytes: number;
  maxQueued: number;
  leaseSeconds: number;
  loadTimeoutSeconds: number;
  checkpointSeconds: number;
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Bytes from "8GiB", "512 MB" or "1048576"; NaN when it is none of those. */
export function parseBytes(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/i);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  return match && unit !== undefined ? Math.round(Number(match[1]) * unit) : NaN;
}

/** "1.5 GiB", "300 MiB", "12 KiB", "800 bytes". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toPrecision(3))} ${unit}`;
  }
  if (bytes >= 1024) return `${Number((bytes / 1024).toPrecision(3))} KiB`;
  return `${bytes} bytes`;
}

const size = (variable: string, fallback: number) =>
  z.string().optional().transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === "") return fallback;
    const bytes = parseBytes(raw);
    if (Number.isFinite(bytes) && bytes > 0) return bytes;
    ctx.addIssue({
      code: "custom",
      message: `${variable} must be a size such as 8GiB, 512MB or a number of bytes, got "${raw}"`,
    });
    return z.NEVER;
  });

const whole = (variable: string, fallback: number, min: number, max: number) =>
  z.string().optional().transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === "") return fallback;
    const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (n >= min && n <= max) return n;
    ctx.addIssue({
      code: "custom",
      message: `${variable} must be a whole number from ${min} to ${max}, got "${raw}"`,
    });
    return z.NEVER;
  });

/** Half this machine's memory, where Deno may read it (else 4 GiB). */
function defaultMemoryBudget(): number {
  try {
    return Math.floor(Deno.systemMemoryInfo().total / 2);
  } catch {
    return 4 * 2 ** 30;
  }
}

/** Reads the limits from `env`; throws an Error naming each bad variable. */
export function parseJobLimits(env: Record<string, string | undefined>): JobLimits {
  const schema = z.object({
    memoryBudgetBytes: size("AJUSTE_MEMORY_BUDGET", defaultMemoryBudget()),
    maxDatasetBytes: size("AJUSTE_MAX_DATASET_BYTES", 2 ** 30),
    maxQueued: whole("AJUSTE_MAX_QUEUED", 1000, 1, 1_000_000),
    leaseSeconds: whole("AJUSTE_LEASE_SECONDS", 15, 1, 3600),
    loadTimeoutSeconds: whole("AJUSTE_LOAD_TIMEOUT", 120, 1, 86_400),
    checkpointSeconds: whole("AJUSTE_CHECKPOINT_SECONDS", 10, 0, 86_400),
  });
  const parsed = schema.safeParse({
    memoryBudgetBytes: env.AJUSTE_MEMORY_BUDGET,
    maxDatasetBytes: env.AJUSTE_MAX_DATASET_BYTES,
    maxQueued: env.AJUSTE_MAX_QUEUED,
    leaseSeconds: env.AJUSTE_LEASE_SECONDS,
    loadTimeoutSeconds: env.AJUSTE_LOAD_TIMEOUT,
    checkpointSeconds: env.AJUSTE_CHECKPOINT_SECONDS,
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("\n"));
  return parsed.data;
}
