/**
 * Retries with exponential backoff for failures that pass: a libSQL server (sqld) restarting or
 * briefly unreachable, or SQLite's write lock still held by another process after the busy
 * timeout. Everything else (constraint violations, bad SQL) fails at once.
 *
 * @module
 */

export interface RetryOptions {
  /** Give up once this much time has passed since the first failure. Default 60 s. */
  deadlineMs?: number;
  /** First wait; doubles each time up to `maxDelayMs`. Default 100 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Told about the first failure of an outage, and about recovery. */
  onRetry?: (error: unknown, attempt: number) => void;
}

const TRANSIENT = [
  /fetch failed/i,
  /error sending request/i,
  /connection (refused|reset|closed)/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/,
  /SQLITE_BUSY|database is locked/i,
  /stream (not found|expired)/i,
  /5\d\d (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)/i,
];

/** Whether `error` (or anything in its `cause` chain) is a failure worth retrying. */
export function isTransient(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const text = `${(e as { code?: string }).code ?? ""} ${(e as Error).message ?? String(e)}`;
    if (TRANSIENT.some((pattern) => pattern.test(text))) return true;
  }
  return false;
}

export async function retrying<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = options.deadlineMs ?? 60_000;
  let delay = options.initialDelayMs ?? 100;
  let firstFailure: number | null = null;
  for (let attempt = 1;; attempt++) {
    try {
      return await work();
    } catch (error) {
      const now = Date.now();
      firstFailure ??= now;
      if (!isTransient(error) || now - firstFailure >= deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}

let outage = false;

/**
 * Says on stderr, once per outage, that the database is unreachable and being retried; every
 * retry loop of the process (client calls, write-lock units) reports through here.
 */
export function noteOutage(error: unknown): void {
  if (outage) return;
  outage = true;
  console.error(`ajuste: database unreachable (${describeError(error)}); retrying with backoff`);
}

/** Says once that the database answers again after {@linkcode noteOutage}. */
export function noteRecovery(): void {
  if (!outage) return;
  outage = false;
  console.error("ajuste: database reachable again");
}

/** The innermost message of an error's `cause` chain. */
export function describeError(error: unknown): string {
  let e = error as { message?: string; cause?: unknown };
  while (e.cause) e = e.cause as typeof e;
  return e.message ?? String(e);
}
