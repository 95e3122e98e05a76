import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import { insertRun } from "../../db/runs.ts";
import { storeFinishedRun } from "../../tests/run_rows.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { createApp } from "../app.ts";
import { openApiDocument } from "./openapi.ts";

// No MNIST folder and no run trained: the engine worker never starts.
const datasetRoots = { mnist: "/nonexistent/mnist" };

/** The app on a fresh in-memory database, closed where the `await using` declaration ends. */
async function testApp() {
  const { db, close } = await openDb({ url: ":memory:" });
  const service = new RunService(db);
  const studies = new StudyService(db, service);
  return {
    db,
    app: createApp({ datasetRoots, db, service, studies }),
    async [Symbol.asyncDispose]() {
      await service.shutdown();
      close();
    },
  };
}

type Schema = {
  $ref?: string;
  anyOf?: Schema[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
};
const doc = openApiDocument("1.2.3");
const components = doc.components.schemas as Record<string, Schema>;

/** Follows a `$ref` into the components. */
function resolve(schema: Schema): Schema {
  return schema.$ref ? resolve(components[schema.$ref.split("/").at(-1)!]) : schema;
}

/**
 * Asserts that `value` has every required property and none the schema does not list, recursing
 * into objects and arrays.
 */
function assertShape(value: unknown, schema: Schema, where: string): void {
  schema = resolve(schema);
  if (schema.anyOf) {
    if (value === null) return;
    schema = resolve(schema.anyOf.find((option) => (option as { type?: string }).type !== "null")!);
  }
  if (schema.properties && value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const missing = (schema.required ?? []).filter((key) => !keys.includes(key));
    assert.deepEqual(missing, [], `${where} lacks required properties`);
    const undocumented = keys.filter((key) => !(key in schema.properties!));
    assert.deepEqual(undocumented, [], `${where} has undocumented properties`);
    for (const [key, item] of Object.entries(value)) {
      if (schema.properties[key]) assertShape(item, schema.properties[key], `${where}.${key}`);
    }
  }
  if (schema.items && Array.isArray(value)) {
    value.forEach((item, i) => assertShape(item, schema.items!, `${where}[${i}]`));
  }
}

Deno.test("openApiDocument() lists every run route and carries the config schema's bounds", () => {
  assert.equal(doc.info.version, "1.2.3");
  for (
    const path of ["/api/runs", "/api/runs/{id}", "/api/runs/{id}/events", "/api/runs/{id}/cancel"]
  ) {
    assert.ok(path in doc.paths, `${path} documented`);
  }
  const config = doc.components.schemas.RunConfig as unknown as {
    properties: { epochs: { minimum: number; maximum: number; default: number } };
  };
  assert.deepEqual(
    { min: config.properties.epochs.minimum, max: config.properties.epochs.maximum },
    { min: 1, max: 10000 },
  );
  const parsed = parseRunConfig({});
  assert.ok(parsed.ok);
  assert.equal(config.properties.epochs.default, parsed.config.epochs);
});

Deno.test("every route the app registers under /api is in the OpenAPI document with its method", async () => {
  await using test = await testApp();
  const { app } = test;
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const routes = app.routes.filter((route) =>
    route.path.startsWith("/api/") && route.method !== "ALL"
  );
  assert.ok(routes.length >= 10, "the app's routes were found");
  const missing = routes
    .map((route) => ({
      method: route.method.toLowerCase(),
      path: route.path.replace(/:(\w+)/g, "{$1}"),
    }))
    .filter(({ method, path }) => !paths[path]?.[method])
    .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
  assert.deepEqual(missing, [], "routes missing from /api/openapi.json");
  // Every documented path parameter is declared.
  for (const [path, operations] of Object.entries(paths)) {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, operation] of Object.entries(operations)) {
      const declared = ((operation as { parameters?: { name: string; in: string }[] })
        .parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      assert.deepEqual(declared, names, `${method} ${path} declares its path parameters`);
    }
  }
});

Deno.test("GET /api/runs and GET /api/runs/{id} answer in the documented shapes", async () => {
  await using test = await testApp();
  const { db, app } = test;
  const config = parseRunConfig({ data: { dataset: "synthetic-binary" } });
  assert.ok(config.ok);
  const queued = await insertRun(db, config.config);
  const epoch = {
    epoch: 1,
    trainLoss: 0.5,
    trainAccuracy: 0.8,
    devLoss: null,
    devAccuracy: null,
    seconds: 0.1,
  };
  const layers = [{
    preActivationMean: 0.1,
    preActivationStd: 1.2,
    activationMean: 0.5,
    activationStd: 0.7,
    deadShare: 0.25,
    saturatedShare: null,
    weightNorm: 3,
    gradientNorm: 0.01,
    updateRatio: 0.002,
    weightHistogram: { limit: 0.5, counts: Array.from({ length: 32 }, (_, i) => i) },
  }];
  const done = await storeFinishedRun(db, config.config, {
    epochs: [epoch, { ...epoch, epoch: 2, layers }],
    weights: new Uint8Array(8),
    result: { test: { loss: 0.4, accuracy: 0.9, count: 10, classes: 2, confusion: [4, 1, 0, 5] } },
  });

  const paths = doc.paths as Record<string, Record<string, { responses: Record<number, unknown> }>>;
  const schemaOf = (path: string) =>
    (paths[path].get.responses[200] as { content: { "application/json": { schema: Schema } } })
      .content["application/json"].schema;
  const list = await (await app.request("/api/runs")).json();
  assert.equal(list.runs.length, 2);
  assertShape(list, schemaOf("/api/runs"), "GET /api/runs");
  for (const id of [queued, done]) {
    const run = await (await app.request(`/api/runs/${id}`)).json();
    assertShape(run, schemaOf("/api/runs/{id}"), `GET /api/runs/${id}`);
  }
  const run = await (await app.request(`/api/runs/${done}`)).json();
  assert.deepEqual(run.epochs.map((e: { layers: unknown }) => e.layers), [null, layers]);
});
