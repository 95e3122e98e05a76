import assert from "node:assert/strict";
import { accuracyChartSvg, confusionHeatmapSvg, lineChartSvg, lossChartSvg } from "./charts.ts";

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
});

Deno.test("confusionHeatmapSvg() refuses a matrix that does not match the classes", () => {
  assert.throws(
    () => confusionHeatmapSvg({ width: 100, height: 100, classNames: ["a", "b"], confusion: [1] }),
    /Confusion matrix must hold 2×2 = 4 counts for 2 classes, got 1/,
  );
});
