/**
 * The service under load, measured: starts a server on loopback with a temp database, runs the
 * two scenarios of `tests/load_test.ts` (training on the CPU reference backend) and prints
 * markdown tables for `bench/README.md`.
 *
 *   deno run -A bench/load_bench.ts [--subscribers 200] [--epochs 30] [--requests 2000]
 *     [--rate 200] [--concurrency 32]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { deviceLabel } from "../engine/device.ts";
import { createRun, liveRun, pacedReads, percentile, sseFanOut } from "../tests/load_scenarios.ts";
import { postJson, startTestServer, waitFor } from "../tests/service_helpers.ts";

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "200" },
    epochs: { type: "string", default: "30" },
    requests: { type: "string", default: "2000" },
    rate: { type: "string", default: "200" },
    concurrency: { type: "string", default: "32" },
  },
});
const subscribers = Number(values.subscribers);
const epochs = Number(values.epochs);
const requests = Number(values.requests);
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);

const t = await startTestServer();
const ms = (value: number) => value.toFixed(1);
const epochsDone = async (id: number) =>
  (await (await fetch(`${t.url}/api/runs/${id}`)).json()).epochs.length as number;

try {
  // 1. Fan-out: all subscribers on one run while it trains.
  const sseRun = await createRun(t.url, liveRun(epochs));
  const sseStart = performance.now();
  const attached = waitFor(
    () => Promise.resolve(t.server.service.events.subscriberCount >= subscribers || undefined),
    "every subscriber to attach",
    60_000,
  ).then(() => epochsDone(sseRun));
  const fanOut = await sseFanOut(t.url, sseRun, subscribers, epochs);
  const sseSeconds = (performance.now() - sseStart) / 1000;
  const attachedAt = await attached.catch(() => NaN);

  // 2. Paced reads while a long run trains; cancelled afterwards.
  const readRun = await createRun(t.url, liveRun(10_000));
  await waitFor(async () => (await epochsDone(readRun)) > 0 || undefined, "the run to train");
  const before = await epochsDone(readRun);
  const reads = await pacedReads(t.url, readRun, { count: requests, rate, concurrency });
  const trained = (await epochsDone(readRun)) - before;
  await (await postJson(`${t.url}/api/runs/${readRun}/cancel`, "")).body?.cancel();
  // Closing with a run still in flight leaves this process unable to exit: let it end first.
  await t.server.service.whenIdle();

  const { latencies } = reads;
  console.log(
    `${new Date().toISOString().slice(0, 10)}: runs train on the CPU reference backend ` +
      `(device "cpu"); the server found ${deviceLabel(t.server.device)}\n`,
  );
  console.log(
    "| SSE subscribers | epochs per run | epoch events delivered | subscribers missing an epoch, " +
      "out of order or without done | all attached by epoch | wall s |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${fanOut.subscribers} | ${epochs} | ${fanOut.delivered} of ${subscribers * epochs} | ` +
      `${fanOut.incomplete} | ${attachedAt} | ${sseSeconds.toFixed(1)} |`,
  );
  console.log(
    "\n| requests | rate asked / achieved (req/s) | concurrency | p50 ms | p90 ms | p99 ms | " +
      "max ms | errors | epochs trained meanwhile |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${reads.requests} | ${rate} / ${reads.achievedRate.toFixed(0)} | ${concurrency} | ` +
      `${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 90))} | ` +
      `${ms(percentile(latencies, 99))} | ${ms(latencies.at(-1) ?? NaN)} | ${reads.errors} | ` +
      `${trained} |`,
  );
  if (fanOut.firstProblem) console.log(`\nfirst SSE problem: ${fanOut.firstProblem}`);
  if (reads.firstError) console.log(`first read error: ${reads.firstError}`);
} finally {
  await t.close();
}
