/**
 * Server settings from command-line flags and environment variables, validated once at start.
 * A flag wins over its variable, which wins over the default.
 *
 * @module
 */

import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { type JobLimits, parseJobLimits } from "./job_limits.ts";

export interface ServerEnv {
  host: string;
  port: number;
  /** libSQL URL: `file:<path>`, `libsql://`, `http(s)://`, `ws(s)://`, or `:memory:`. */
  db: string;
  dbToken?: string;
  /** Shared secret clients must send; required to listen beyond loopback. */
  token?: string;
  /** Train queued runs here (false with `--no-train`: `deno task work` processes train them). */
  train: boolean;
  limits: JobLimits;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_DB = "file:data/ajuste.db";

export const USAGE = `Usage: deno task start [--port N] [--host HOST] [--db URL] [--no-train]

  --port N     port to listen on (env PORT, default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST  address to bind (env AJUSTE_HOST, default ${DEFAULT_HOST})
  --db URL     libSQL database (env AJUSTE_DB, default ${DEFAULT_DB})
  --no-train   queue and show runs and studies, train none here (env AJUSTE_NO_TRAIN=1):
               deno task work processes sharing the database train them

Environment: AJUSTE_DB_TOKEN (database auth token), AJUSTE_TOKEN (API token; required when
HOST is not a loopback address), AJUSTE_DATA_DIRS (folders that idx: and csv: datasets must be
inside, separated by ":"; beyond loopback it defaults to data/), AJUSTE_MNIST_DIR and
AJUSTE_FASHION_MNIST_DIR (where the built-in datasets are). What a run may take:
AJUSTE_MEMORY_BUDGET (bytes a run may use, default half the RAM), AJUSTE_MAX_DATASET_BYTES
(default 1GiB), AJUSTE_MAX_QUEUED (default 1000), AJUSTE_LEASE_SECONDS (default 15),
AJUSTE_LOAD_TIMEOUT (seconds, default 120), AJUSTE_CHECKPOINT_SECONDS (seconds between a run's
saved training states, default 10; 0 saves after every epoch).`;

/** A setting that cannot be used; main.ts prints the message and exits. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** `--help` was given: print {@linkcode USAGE} and exit. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
}

const DB_URL = /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)|^:memory:$/;

/**
 * Why `url` is not a database URL libSQL opens (`null` when it is), in the words every entry point
 * (server, `train`, `tune`, `work`) prints; a bare path is told how to write it as a file URL.
 */
export function databaseUrlIssue(url: string): string | null {
  if (DB_URL.test(url)) return null;
  const hint = url && !/^[a-z][a-z0-9+.-]*:/i.test(url) ? ` (for a file, write "file:${url}")` : "";
  return `Database URL must start with file:, libsql://, http(s)://, ws(s):// or be :memory: ` +
    `(--db or AJUSTE_DB), got "${url}"${hint}`;
}

const serverEnvSchema = z.object({
  host: z.string().trim().min(1, { error: "Host must not be empty (--host or AJUSTE_HOST)" }),
  port: z.string().trim().transform((raw, ctx) => {
    const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(port) && port <= 65535) return port;
    ctx.addIssue({
      code: "custom",
      message: `Port must be an integer from 0 to 65535 (--port or PORT), got "${raw}"`,
    });
    return z.NEVER;
  }),
  db: z.string().trim().refine((url) => databaseUrlIssue(url) === null, {
    error: (issue) => databaseUrlIssue(String(issue.input)) ?? "",
  }),
  dbToken: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
});

/** Reads flags from `args` and variables from `env`; throws ConfigError or HelpRequested. */
export function parseServerEnv(
  args: string[],
  env: Record<string, string | undefined>,
): ServerEnv {
  let flags;
  try {
    flags = parseArgs({
      // `deno task start -- --port 9000` forwards the "--" too; both spellings work.
      args: args[0] === "--" ? args.slice(1) : args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        db: { type: "string" },
        "no-train": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (flags.help) throw new HelpRequested(USAGE);

  const parsed = serverEnvSchema.safeParse({
    host: flags.host ?? env.AJUSTE_HOST ?? DEFAULT_HOST,
    port: flags.port ?? env.PORT ?? String(DEFAULT_PORT),
    db: flags.db ?? env.AJUSTE_DB ?? DEFAULT_DB,
    dbToken: env.AJUSTE_DB_TOKEN || undefined,
    token: env.AJUSTE_TOKEN || undefined,
  });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join("\n"));
  }
  let limits: JobLimits;
  try {
    limits = parseJobLimits(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const noTrain = flags["no-train"] === true || /^(1|true|yes)$/i.test(env.AJUSTE_NO_TRAIN ?? "");
  const config: ServerEnv = { ...parsed.data, train: !noTrain, limits };
  if (!config.token && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `Refusing to listen on "${config.host}" without AJUSTE_TOKEN: set AJUSTE_TOKEN to a ` +
        `secret that clients send as "Authorization: Bearer <token>", or bind 127.0.0.1`,
    );
  }
  return config;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The folder a `file:` database lives in, or null for remote and in-memory databases. */
export function databaseDir(db: string): string | null {
  if (!db.startsWith("file:")) return null;
  const path = db.startsWith("file://")
    ? decodeURIComponent(new URL(db).pathname)
    : db.slice("file:".length).replace(/\?.*$/, "");
  if (path === ":memory:" || path === "") return null;
  return dirname(path);
}

/** Creates the folder of a `file:` database so libSQL can create the file on first start. */
export async function prepareDatabaseDir(db: string): Promise<void> {
  const dir = databaseDir(db);
  if (dir && dir !== ".") await Deno.mkdir(dir, { recursive: true });
}

/** The database URL without its query string, which may carry an auth token. */
export function displayDatabase(db: string): string {
  return db.replace(/\?.*$/, "");
}

/**
 * Mesa's Vulkan drivers (lavapipe) print "XDG_RUNTIME_DIR is invalid or not set" twice when the
 * variable is missing, as it is under sudo, cron, CI and `ssh host cmd`. ajuste uses no display,
 * so before the first adapter request the entry points give it a private folder of its own.
 */
export function ensureRuntimeDir(): void {
  if (Deno.env.get("XDG_RUNTIME_DIR")) return;
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/ajuste-runtime-${Deno.uid() ?? "user"}`;
  // Asked first, never tried: on a terminal an unpermitted mkdir would stop at Deno's prompt.
  if (Deno.permissions.querySync({ name: "write", path: dir }).state === "granted") {
    try {
      Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      Deno.env.set("XDG_RUNTIME_DIR", dir);
      return;
    } catch {
      // A file in the way, a read-only TMPDIR: /tmp below does as well.
    }
  }
  // /tmp exists everywhere, which is all Mesa checks.
  Deno.env.set("XDG_RUNTIME_DIR", "/tmp");
}
