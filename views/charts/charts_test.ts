import assert from "node:assert/strict";
import {
  accuracyChartSvg,
  axisNumber,
  confusionHeatmapSpec,
  confusionHeatmapSvg,
  epochTicks,
  lineChartSvg,
  lossChartSvg,
  lrChartSvg,
  spansDecades,
} from "./charts.ts";

const epochs = [
  { epoch: 1, trainLoss: 0.9, trainAccuracy: 0.7, devLoss: 0.8, devAccuracy: 0.72, seconds: 1 },
  { epoch: 2, trainLoss: 0.5, trainAccuracy: 0.85, devLoss: 0.55, devAccuracy: 0.84, seconds: 1 },
];

Deno.test("lineChartSvg() returns an SVG of the given size naming every series", () => {
  const svg = lineChartSvg({
    width: 400,
    height: 200,
    title: "Dev accuracy",
    xName: "Epoch",
    series: [
      { name: "#1 baseline", points: [[1, 0.5], [2, 0.7]] },
      { name: "#2 wider", points: [[1, 0.6], [2, 0.8]] },
    ],
  });
  assert.match(svg, /^<svg[^>]* width="400" height="200"/);
  assert.ok(
    svg.includes("#1 baseline") && svg.includes("#2 wider") && svg.includes("Dev accuracy"),
  );
  assert.match(svg, /<\/svg>$/);
});

Deno.test("lineChartSvg() escapes series names typed by users", () => {
  const svg = lineChartSvg({
    width: 300,
    height: 150,
    title: "Loss",
    xName: "Epoch",
    series: [{ name: '<script>alert("x")</script>', points: [[1, 1]] }],
  });
  assert.ok(!svg.includes("<script>"));
  assert.ok(svg.includes("&lt;script&gt;"));
});

Deno.test("lossChartSvg() and accuracyChartSvg() draw train and dev, accuracy in percent", () => {
  const loss = lossChartSvg(epochs, 10);
  assert.ok(loss.includes(">train<") && loss.includes(">dev<") && loss.includes("Loss"));
  const accuracy = accuracyChartSvg(epochs, 10);
  assert.match(accuracy, />\d+(\.\d)?%</);
});

Deno.test("lossChartSvg() says it is waiting while there are no epochs", () => {
  assert.ok(lossChartSvg([], 5).includes("Waiting for the first epoch"));
  assert.ok(!lossChartSvg(epochs, 5).includes("Waiting for the first epoch"));
});

Deno.test("confusionHeatmapSvg() labels the classes and shows each non-zero count", () => {
  const svg = confusionHeatmapSvg({
    width: 300,
    height: 300,
    classNames: ["cat", "dog", "bird"],
    confusion: [17, 2, 0, 1, 23, 0, 0, 4, 31],
  });
  assert.match(svg, /^<svg/);
  for (const name of ["cat", "dog", "bird", "Predicted", "True"]) {
    assert.ok(svg.includes(`>${name}<`), `missing ${name}`);
  }
  for (const count of ["17", "23", "31", "4"]) assert.ok(svg.includes(`>${count}<`));
  assert.ok(!svg.includes(">0<"), "an empty cell shows no count");
});

Deno.test("confusionHeatmapSpec() gives each cell a tooltip with its classes, count and share", () => {
  const spec = confusionHeatmapSpec({
    width: 300,
    height: 300,
    classNames: ["cat", "dog"],
    confusion: [3, 1, 0, 4],
  });
  // deno-lint-ignore no-explicit-any
  const cells = (spec.option.series as any)[0].data;
  assert.deepEqual(cells[1].tip, ["True cat, predicted dog", "1 example · 25.0% of true cat"]);
  assert.deepEqual(cells[2].tip, ["True dog, predicted cat", "0 examples · 0.0% of true dog"]);
});

Deno.test("confusionHeatmapSvg() refuses a matrix that does not match the classes", () => {
  assert.throws(
    () => confusionHeatmapSvg({ width: 100, height: 100, classNames: ["a", "b"], confusion: [1] }),
    /Confusion matrix must hold 2×2 = 4 counts for 2 classes, got 1/,
  );
});

Deno.test("lossChartSvg() and accuracyChartSvg() say no epoch finished for an ended run", () => {
  for (
    const svg of [lossChartSvg([], 5, { ended: true }), accuracyChartSvg([], 5, { ended: true })]
  ) {
    assert.ok(svg.includes("No epoch finished") && !svg.includes("Waiting"));
  }
});

Deno.test("epochTicks() gives evenly spaced integer epochs from 1, at most 10", () => {
  assert.deepEqual(epochTicks(1), [1]);
  assert.deepEqual(epochTicks(10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(epochTicks(11), [1, 3, 5, 7, 9, 11]);
  assert.deepEqual(epochTicks(21), [1, 6, 11, 16, 21]);
  assert.deepEqual(epochTicks(101), [1, 21, 41, 61, 81, 101]);
  for (const epochs of [2, 7, 20, 99, 350, 10000]) {
    const ticks = epochTicks(epochs);
    assert.equal(ticks[0], 1);
    assert.ok(ticks.length <= 10 && ticks.at(-1)! <= epochs);
    const steps = new Set(ticks.slice(1).map((tick, i) => tick - ticks[i]));
    assert.ok(steps.size <= 1, `even steps for ${epochs}: ${ticks}`);
  }
});

/** The x axis's labels: the numbers drawn below the plot, left to right. */
function xLabels(svg: string): string[] {
  const texts = [
    ...svg.matchAll(/<text[^>]*transform="translate\(([\d.]+) ([\d.]+)\)"[^>]*>([^<]*)</g),
  ]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3] }));
  const bottom = Math.max(...texts.filter((t) => /^\d+$/.test(t.text)).map((t) => t.y));
  return texts.filter((t) => t.y === bottom).sort((a, b) => a.x - b.x).map((t) => t.text);
}

Deno.test("the epoch axis runs from 1 to the planned epochs with even integer ticks", () => {
  assert.deepEqual(xLabels(lossChartSvg(epochs, 10)), [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
  ]);
  assert.deepEqual(xLabels(lossChartSvg(epochs.slice(0, 1), 1)), ["1"]);
  assert.deepEqual(xLabels(lossChartSvg(epochs, 20)), [
    "1",
    "3",
    "5",
    "7",
    "9",
    "11",
    "13",
    "15",
    "17",
    "19",
  ]);
});

Deno.test("lossChartSvg() puts a runaway loss on a log axis with short labels", () => {
  const runaway = [
    { epoch: 1, trainLoss: 0.69, trainAccuracy: 0.5, devLoss: 0.7, devAccuracy: 0.5, seconds: 1 },
    {
      epoch: 2,
      trainLoss: 3.1e14,
      trainAccuracy: 0.5,
      devLoss: 2e13,
      devAccuracy: 0.5,
      seconds: 1,
    },
  ];
  const labels = [...lossChartSvg(runaway, 3).matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
    .map(([, text]) => text);
  // Powers of ten as 1e10, 1e15: not 300000000000000, which the axis' margin cuts off.
  assert.ok(labels.includes("1e10") && labels.includes("1e15"), labels.join(", "));
  assert.ok(labels.every((label) => label.length <= 5), labels.join(", "));
  // A loss that stays within a decade or two keeps its linear axis.
  const plain = [...lossChartSvg(epochs, 2).matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
    .map(([, text]) => text);
  assert.ok(!plain.some((label) => /e\d/.test(label)), plain.join(", "));
});

Deno.test("spansDecades() is true for positive values three decades apart or more", () => {
  assert.equal(spansDecades([{ name: "a", points: [[1, 0.5], [2, 600]] }]), true);
  assert.equal(spansDecades([{ name: "a", points: [[1, 0.5], [2, 400]] }]), false);
  assert.equal(spansDecades([{ name: "a", points: [[1, 0], [2, 1e9]] }]), false, "zero: no log");
  assert.equal(spansDecades([{ name: "a", points: [[1, null]] }]), false);
});

Deno.test("axisNumber() writes large and tiny values with an exponent", () => {
  assert.deepEqual(
    [0.693, 12.5, 1200, 3.1e14, 2.5e-5, 0].map(axisNumber),
    ["0.693", "12.5", "1200", "3.1e14", "2.5e-5", "0"],
  );
});

Deno.test("lrChartSvg() plots each epoch's lr and leaves out epochs stored without one", () => {
  const rows = [
    { epoch: 1, trainLoss: 1, trainAccuracy: 0.5, devLoss: 1, devAccuracy: 0.5, seconds: 1 },
    {
      epoch: 2,
      trainLoss: 1,
      trainAccuracy: 0.5,
      devLoss: 1,
      devAccuracy: 0.5,
      seconds: 1,
      lr: 0.1,
    },
    {
      epoch: 3,
      trainLoss: 1,
      trainAccuracy: 0.5,
      devLoss: 1,
      devAccuracy: 0.5,
      seconds: 1,
      lr: 0.01,
    },
  ];
  const svg = lrChartSvg(rows, 3);
  assert.ok(svg.includes("Learning rate") && svg.includes(">lr<"));
  assert.ok(!svg.includes("Waiting for the first epoch"));
  assert.ok(lrChartSvg(rows.slice(0, 1), 3).includes("Waiting for the first epoch"));
});
