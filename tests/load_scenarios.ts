/**
 * The two load scenarios that `tests/load_test.ts` checks and `bench/load_bench.ts` measures,
 * against a server on loopback: many SSE subscribers on one live run, and paced API reads while
 * a run trains. Both are bounded in count and stop by themselves.
 *
 * @module
 */

import { postJson, readSse, type SseEvent, tinyRun } from "./service_helpers.ts";

/** A run on the CPU reference that lasts a few seconds: every step is one example. */
export function liveRun(epochs: number): Record<string, unknown> {
  return tinyRun({
    name: "load",
    epochs,
    batch: { mode: "stochastic" },
    model: { layers: [{ units: 64 }, { units: 64 }] },
  });
}

export async function createRun(base: string, config: Record<string, unknown>): Promise<number> {
  const response = await postJson(`${base}/api/runs`, config);
  if (response.status !== 201) {
    throw new Error(`POST /api/runs answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()).id;
}

export interface FanOutResult {
  subscribers: number;
  epochs: number;
  /** Epoch events received over all subscribers. */
  delivered: number;
  /** Subscribers that missed an epoch, got one twice or out of order, or no final `done`. */
  incomplete: number;
  /** The first problem seen, for the failure message. */
  firstProblem?: string;
  finalStatus?: string;
}

/**
 * Opens `subscribers` streams on run `id` at once and reads each to `done`; every one must get
 * epochs 1..`epochs`, in order, once each, then `done`. Streams still open after `deadlineMs`
 * are cut and count as incomplete, so a stuck run cannot hang the caller.
 */
export async function sseFanOut(
  base: string,
  id: number,
  subscribers: number,
  epochs: number,
  deadlineMs = 60_000,
): Promise<FanOutResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), deadlineMs);
  const subscribe = async (): Promise<SseEvent[] | string> => {
    try {
      const response = await fetch(`${base}/api/runs/${id}/events`, { signal: abort.signal });
      if (response.status === 200) return await readSse(response);
      await response.body?.cancel();
      return `GET /api/runs/${id}/events answered ${response.status}`;
    } catch (error) {
      return abort.signal.aborted ? `no done within ${deadlineMs} ms` : (error as Error).message;
    }
  };
  let streams: Array<SseEvent[] | string>;
  try {
    streams = await Promise.all(Array.from({ length: subscribers }, subscribe));
  } finally {
    clearTimeout(timer);
  }
  const expected = Array.from({ length: epochs }, (_, i) => String(i + 1)).join(",");
  const result: FanOutResult = { subscribers, epochs, delivered: 0, incomplete: 0 };
  for (const events of streams) {
    if (typeof events === "string") {
      result.incomplete++;
      result.firstProblem ??= events;
      continue;
    }
    const ids = events.filter((event) => event.event === "epoch").map((event) => event.id);
    result.delivered += ids.length;
    const last: SseEvent | undefined = events.at(-1);
    if (last?.event === "done") result.finalStatus = JSON.parse(last.data).status;
    if (ids.join(",") !== expected || last?.event !== "done") {
      result.incomplete++;
      result.firstProblem ??= `epochs ${ids.join(",")}, last event ${last?.event}`;
    }
  }
  return result;
}

export interface ReadsResult {
  requests: number;
  /** Requests per second asked for, and achieved over the whole scenario. */
  rate: number;
  achievedRate: number;
  errors: number;
  firstError?: string;
  /** Latencies in milliseconds, sorted. */
  latencies: number[];
}

/** A read slower than this counts as an error rather than holding the scenario up. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * `count` GETs cycling over `GET /api/runs/:id`, `/api/runs` and `/api/health`, started at
 * `rate` per second (request i at i/rate s) by at most `concurrency` at a time; a request that
 * is not 200 with a JSON body counts as an error.
 */
export async function pacedReads(
  base: string,
  runId: number,
  options: { count: number; rate: number; concurrency: number },
): Promise<ReadsResult> {
  const paths = [`/api/runs/${runId}`, "/api/runs", "/api/health"];
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();

  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      const due = start + (index * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const path = paths[index % paths.length];
      const sent = performance.now();
      try {
        const response = await fetch(`${base}${path}`, {
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.json();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return {
    requests: options.count,
    rate: options.rate,
    achievedRate: options.count / seconds,
    errors,
    firstError,
    latencies: latencies.sort((a, b) => a - b),
  };
}

/** The nearest-rank percentile `p` (0..100) of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
