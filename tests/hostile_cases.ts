/**
 * The hostile request corpus `tests/hostile_input_test.ts` sends: every request here is wrong in
 * some way and must get a 4xx (a clear JSON `{ error, issues? }` under `/api`) without writing
 * anything or hurting the server.
 *
 * Content types, decided in `routes/shell/json_body.ts` and `routes/shell/form_body.ts`: the JSON API takes
 * only `application/json` (or `+json`; 415 otherwise), the forms only form types. A UTF-8 BOM
 * before JSON is tolerated.
 *
 * @module
 */

export interface HostileCase {
  name: string;
  method?: string;
  path: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Defaults to application/json when there is a body; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Allowed statuses (the first is the one expected today). */
  status: number[];
  /** For 400s from a schema: an issue at this dotted path (or below it). */
  issueAt?: string;
}

/** `depth` nested arrays: `[[[…]]]`. */
export const nestedArrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
/** `depth` nested objects: `{"a":{"a":…1}}`. */
export const nestedObjects = (depth: number, key = "a") =>
  `{"${key}":`.repeat(depth) + "1" + "}".repeat(depth);

export const run = (body: unknown, status: number, issueAt?: string): HostileCase => ({
  name: `POST /api/runs ${typeof body === "string" ? body.slice(0, 60) : JSON.stringify(body)}`,
  method: "POST",
  path: "/api/runs",
  body,
  status: [status],
  issueAt,
});

/** A study that would be valid but for what `change` does to it. */
export const study = (
  label: string,
  change: Record<string, unknown>,
  issueAt?: string,
): HostileCase => ({
  name: `POST /api/studies ${label}`,
  method: "POST",
  path: "/api/studies",
  body: {
    name: "hostile",
    trials: 1,
    base: { epochs: 1, device: "cpu", data: { dataset: "synthetic-binary" } },
    space: { seed: { type: "int", low: 0, high: 3 } },
    ...change,
  },
  status: [400],
  issueAt,
});

const get = (path: string, ...status: number[]): HostileCase => ({
  name: `GET ${path.slice(0, 80)}`,
  path,
  status,
});

const WRONG_TYPES: [unknown, string][] = [
  [{ name: 5 }, "name"],
  [{ seed: "0" }, "seed"],
  [{ epochs: true }, "epochs"],
  [{ data: "mnist" }, "data"],
  [{ data: { dataset: 5 } }, "data.dataset"],
  [{ data: { normalize: [] } }, "data.normalize"],
  [{ data: { split: { train: "0.9", dev: 0.1 } } }, "data.split.train"],
  [{ model: [] }, "model"],
  [{ model: { layers: {} } }, "model.layers"],
  [{ model: { layers: [8] } }, "model.layers.0"],
  [{ model: { layers: [{ units: "8" }] } }, "model.layers.0.units"],
  [{ model: { layers: [{ units: 8, activation: 1 }] } }, "model.layers.0.activation"],
  [{ model: { layers: [{ units: 8, batchNorm: "yes" }] } }, "model.layers.0.batchNorm"],
  [{ model: { layers: [{ units: 8, dropout: null }] } }, "model.layers.0.dropout"],
  [{ loss: [] }, "loss"],
  [{ optimizer: "adam" }, "optimizer"],
  [{ optimizer: { type: "sgd", lr: "0.1" } }, "optimizer.lr"],
  [{ optimizer: { type: "adam", betas: "0.9" } }, "optimizer.betas"],
  [{ batch: 128 }, "batch"],
  [{ batch: { size: "128" } }, "batch.size"],
  [{ batch: { shuffle: 1 } }, "batch.shuffle"],
  [{ device: 0 }, "device"],
];

const NUMBERS: HostileCase[] = [
  // JSON has no NaN or Infinity: these are malformed bodies.
  run('{"epochs": NaN}', 400),
  run('{"epochs": Infinity}', 400),
  run('{"optimizer": {"type": "sgd", "lr": -Infinity}}', 400),
  // 1e309 parses to Infinity, which every number field refuses.
  run('{"epochs": 1e309}', 400, "epochs"),
  run('{"optimizer": {"type": "sgd", "lr": 1e309}}', 400, "optimizer.lr"),
  run('{"data": {"normalize": {"mean": -1e309, "std": 1}}}', 400, "data.normalize.mean"),
  // -0 is 0, refused where 0 is.
  run('{"epochs": -0}', 400, "epochs"),
  run('{"batch": {"size": -0}}', 400, "batch.size"),
  run('{"data": {"normalize": {"mean": 0, "std": -0}}}', 400, "data.normalize.std"),
  run({ model: { layers: [{ units: 1e9 }] } }, 400, "model.layers.0.units"),
  run({ model: { layers: [{ units: -1 }] } }, 400, "model.layers.0.units"),
  run(
    { model: { layers: Array.from({ length: 100 }, () => ({ units: 8 })) } },
    400,
    "model.layers",
  ),
  run({ epochs: -1 }, 400, "epochs"),
  run({ epochs: 1e6 }, 400, "epochs"),
  run({ batch: { size: -1 } }, 400, "batch.size"),
  run({ data: { trainSize: -1 } }, 400, "data.trainSize"),
  run({ seed: 2 ** 53 }, 400, "seed"),
  study("trials -1", { trials: -1 }, "trials"),
  study("trials 1e9", { trials: 1e9 }, "trials"),
];

const UNKNOWN_FIELDS: HostileCase[] = [
  run({ lrr: 0.1 }, 400, "lrr"),
  run({ model: { depth: 3 } }, 400, "model.depth"),
  run({ model: { layers: [{ units: 8, bias: false }] } }, 400, "model.layers.0.bias"),
  run({ optimizer: { type: "adam", momentum: 0.9 } }, 400, "optimizer"),
  run({ data: { split: { train: 0.9, val: 0.1 } } }, 400, "data.split"),
  study("an unknown top-level field", { owner: "me" }, "owner"),
  study("an unknown parameter field", {
    space: { seed: { type: "int", low: 0, high: 3, scale: "log" } },
  }, "space.seed"),
  study("a space path that is no field", {
    space: { "model.depth": { type: "int", low: 1, high: 3 } },
  }, "space.model.depth"),
];

const MALFORMED: HostileCase[] = [
  run('{"epochs": 3', 400),
  run('{"epochs": 3} trailing', 400),
  run('{"epochs": 3}{"epochs": 4}', 400),
  run("{epochs: 3}", 400),
  run("{'epochs': 3}", 400),
  run("", 400),
  run("   \n", 400),
  run("null", 400, ""),
  run('"a string"', 400, ""),
  run("[]", 400, ""),
  run("42", 400, ""),
  run("true", 400, ""),
  // The BOM is tolerated, so this reaches the schema, which refuses the value.
  run('\uFEFF{"epochs": 0}', 400, "epochs"),
  {
    ...run("{}", 400),
    name: "POST /api/studies empty object",
    path: "/api/studies",
    issueAt: "name",
  },
  { ...run("[1,", 400), name: "POST /api/studies truncated", path: "/api/studies" },
];

const DEEP: HostileCase[] = [
  run(nestedArrays(10_000), 400, ""),
  run(nestedObjects(10_000), 400, "a"),
  // About 1 MB of brackets, just under the body limit: far deeper than any call stack.
  run(nestedArrays(500_000), 400, ""),
  run(`{"model": {"layers": ${nestedArrays(10_000)}}}`, 400, "model.layers.0"),
  run(`{"model": {"layers": [${nestedObjects(10_000, "units")}]}}`, 400, "model.layers.0.units"),
  run(`{"optimizer": {"type": "adam", "betas": ${nestedArrays(10_000)}}}`, 400, "optimizer.betas"),
  { ...run(`{"name": "x", "base": ${nestedObjects(10_000)}}`, 400), path: "/api/studies" },
  {
    ...run(
      `{"name": "x", "space": {"loss": {"type": "categorical", "choices": [${
        nestedArrays(10_000)
      }]}}}`,
      400,
      "space.loss.choices.0",
    ),
    path: "/api/studies",
  },
];

const TRAVERSAL: HostileCase[] = [
  run({ data: { dataset: "idx:../../etc" } }, 400, "data.dataset"),
  run({ data: { dataset: "csv:/etc/passwd/../shadow" } }, 400, "data.dataset"),
  run({ data: { dataset: "idx:%2e%2e/%2e%2e/etc" } }, 400, "data.dataset"),
  run({ data: { dataset: "idx:.%2E/x" } }, 400, "data.dataset"),
  run({ data: { dataset: "idx:..\\..\\windows" } }, 400, "data.dataset"),
  run({ data: { dataset: "csv:data/x.csv\u0000.png" } }, 400, "data.dataset"),
  run({ data: { dataset: "idx:\u0000" } }, 400, "data.dataset"),
  run({ data: { dataset: "file:///etc/passwd" } }, 400, "data.dataset"),
  get(`/api/datasets/${encodeURIComponent("../../etc/passwd")}/samples`, 404),
  get(`/api/datasets/${encodeURIComponent("csv:/etc/passwd")}/samples`, 404),
  get(`/api/datasets/%2e%2e%2f%2e%2e%2fetc/samples`, 404),
];

const PROTOTYPE: HostileCase[] = [
  run('{"__proto__": {"polluted": 1}}', 400, "__proto__"),
  run('{"model": {"__proto__": {"polluted": 1}}}', 400, "model.__proto__"),
  run('{"model": {"layers": [{"units": 8, "\\u005f_proto__": {"polluted": 1}}]}}', 400),
  run('{"constructor": {"prototype": {"polluted": 1}}}', 400, "constructor"),
  study("a __proto__ space key", {
    space: JSON.parse(
      '{"seed": {"type": "int", "low": 0, "high": 3}, "__proto__": {"type": "int", "low": 0, "high": 3}}',
    ),
  }, "space.__proto__"),
  study(
    "a __proto__ in base",
    { base: JSON.parse('{"__proto__": {"epochs": 2}}') },
    "base.__proto__",
  ),
  study("a constructor.prototype path", {
    space: { "constructor.prototype.polluted": { type: "int", low: 0, high: 3 } },
  }, "space.constructor.prototype.polluted"),
  study("a __proto__.polluted path", {
    space: { "__proto__.polluted": { type: "int", low: 0, high: 3 } },
  }, "space.__proto__.polluted"),
];

const STRINGS: HostileCase[] = [
  run({ name: "x".repeat(101) }, 400, "name"),
  run({ name: "x".repeat(100_000) }, 400, "name"),
  run({ name: "" }, 400, "name"),
  study("a 101-character name", { name: "s".repeat(101) }, "name"),
  study("too many choices", {
    space: { seed: { type: "categorical", choices: Array.from({ length: 120_000 }, (_, i) => i) } },
  }, "space.seed.choices"),
  study("too many parameters", {
    space: Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`p${i}`, { type: "int", low: 0, high: 1 }]),
    ),
  }, "space"),
];

const CONTENT_TYPES: HostileCase[] = [
  { ...run({ epochs: 2 }, 415), name: "POST /api/runs as text/plain", contentType: "text/plain" },
  { ...run({ epochs: 2 }, 415), name: "POST /api/runs with no type", contentType: null },
  {
    ...run("epochs=2", 415),
    name: "POST /api/runs as a form",
    contentType: "application/x-www-form-urlencoded",
  },
  { ...run({ epochs: 2 }, 415), name: "POST /api/runs as xml", contentType: "application/xml" },
  {
    ...run({ epochs: 2 }, 415),
    name: "POST /api/studies as text/plain",
    path: "/api/studies",
    contentType: "text/plain",
  },
  // JSON with parameters or a +json type is JSON: these reach the schema.
  { ...run({ epochs: 0 }, 400, "epochs"), contentType: "application/json; charset=utf-8" },
  { ...run({ epochs: 0 }, 400, "epochs"), contentType: "application/vnd.ajuste+json" },
  {
    name: "POST /runs/new with JSON",
    method: "POST",
    path: "/runs/new",
    body: { name: "x" },
    status: [415],
  },
  {
    name: "POST /runs/new multipart without a boundary",
    method: "POST",
    path: "/runs/new",
    body: "name=x",
    contentType: "multipart/form-data",
    status: [400],
  },
  {
    name: "POST /runs/new/validate multipart with a wrong boundary",
    method: "POST",
    path: "/runs/new/validate",
    body: "garbage",
    contentType: "multipart/form-data; boundary=xyz",
    status: [400],
  },
  {
    // Used to build a hundred-million-row layer table and run the server out of memory.
    name: "POST /runs/new with layer index 99999999",
    method: "POST",
    path: "/runs/new",
    body: "model.layers.99999999.units=8",
    contentType: "application/x-www-form-urlencoded",
    status: [422],
  },
];

const STUDY_FORMS: HostileCase[] = [
  {
    name: "POST /studies/new/validate multipart without a boundary",
    method: "POST",
    path: "/studies/new/validate",
    body: "name=x",
    contentType: "multipart/form-data",
    status: [400],
  },
  {
    name: "POST /studies/new with JSON",
    method: "POST",
    path: "/studies/new",
    body: { name: "x" },
    status: [415],
  },
  {
    name: "POST /studies/new from another site's form",
    method: "POST",
    path: "/studies/new",
    body: "name=x",
    contentType: "application/x-www-form-urlencoded",
    headers: { Origin: "http://evil.example" },
    status: [403],
  },
];

const CROSS_SITE: HostileCase[] = [
  {
    name: "POST /runs/new from another site's form",
    method: "POST",
    path: "/runs/new",
    body: "name=x",
    contentType: "application/x-www-form-urlencoded",
    headers: { Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" },
    status: [403],
  },
  {
    name: "POST /api/runs from another origin without fetch metadata",
    method: "POST",
    path: "/api/runs",
    body: { epochs: 1 },
    headers: { Origin: "http://evil.example" },
    status: [403],
  },
  {
    name: "POST /api/runs from a sandboxed frame",
    method: "POST",
    path: "/api/runs",
    body: { epochs: 1 },
    headers: { Origin: "null" },
    status: [403],
  },
  {
    name: "POST /api/runs/1/cancel from a sibling site",
    method: "POST",
    path: "/api/runs/1/cancel",
    headers: { "Sec-Fetch-Site": "same-site" },
    status: [403],
  },
];

const BAD_IDS = ["abc", "-1", "0", "1e3", "0x10", "1.5", "%201", "%00", "99999999999999999999"];

const IDS: HostileCase[] = [
  ...BAD_IDS.flatMap((id) => [
    get(`/api/runs/${id}`, 400),
    get(`/api/runs/${id}/events`, 400),
    get(`/api/runs/${id}/model`, 400),
    get(`/api/studies/${id}`, 400),
    get(`/api/studies/${id}/events`, 400),
    get(`/runs/${id}`, 400),
    { ...get(`/api/runs/${id}/cancel`, 400), name: `POST /api/runs/${id}/cancel`, method: "POST" },
  ]),
  get("/api/runs/999", 404),
  get("/api/runs/999/events", 404),
  get("/api/runs/999/model", 404),
  get("/api/studies/999", 404),
  get("/runs/999", 404),
  get("/runs/999/live", 404),
  { ...get("/api/runs/999/cancel", 404), name: "POST /api/runs/999/cancel", method: "POST" },
  get("/api/runs/%E0%A4%A", 400),
];

const QUERIES: HostileCase[] = [
  get("/api/runs?status=bogus", 400),
  get("/api/runs?sort=name", 400),
  get("/api/datasets/synthetic-binary/samples?count=-1", 400),
  get("/api/datasets/synthetic-binary/samples?count=1e3", 400),
  get("/api/datasets/synthetic-binary/samples?count=100000", 400),
  get("/runs?status=%3Cscript%3E", 400),
  get("/api/datasets/mnist/samples?split=dev", 400),
  // Too few or too many runs ticked: the list again, with the reason beside the button.
  get("/runs/compare?ids=1", 422),
  get("/runs/compare?ids=1,abc", 400),
  get(`/runs/compare?ids=${Array.from({ length: 10_000 }, (_, i) => i + 1).join(",")}`, 422),
  get("/runs/compare?ids=998,999", 404),
];

const METHODS: HostileCase[] = [
  { name: "DELETE /api/runs", method: "DELETE", path: "/api/runs", status: [404, 405] },
  { name: "PUT /api/runs/1", method: "PUT", path: "/api/runs/1", body: {}, status: [404, 405] },
  { name: "PATCH /api/studies", method: "PATCH", path: "/api/studies", status: [404, 405] },
  { name: "DELETE /api/health", method: "DELETE", path: "/api/health", status: [404, 405] },
  { name: "POST /api/health", method: "POST", path: "/api/health", body: {}, status: [404, 405] },
  {
    name: "POST /api/runs/1/events",
    method: "POST",
    path: "/api/runs/1/events",
    status: [404, 405],
  },
];

export const HOSTILE_CASES: HostileCase[] = [
  ...WRONG_TYPES.map(([body, path]) => run(body, 400, path)),
  ...NUMBERS,
  ...UNKNOWN_FIELDS,
  ...MALFORMED,
  ...DEEP,
  ...TRAVERSAL,
  ...PROTOTYPE,
  ...STRINGS,
  ...CONTENT_TYPES,
  ...STUDY_FORMS,
  ...CROSS_SITE,
  ...IDS,
  ...QUERIES,
  ...METHODS,
];
