import assert from "node:assert/strict";
import { parseRunConfig } from "../config/schema.ts";
import { openApiDocument } from "./openapi.ts";

Deno.test("openApiDocument() lists every run route and carries the config schema's bounds", () => {
  const doc = openApiDocument("1.2.3");
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
