/**
 * What a completed run learned: test metrics, the confusion matrix with per-class scores, test images with their
 * predicted labels, and the predictions it was most sure of and got wrong.
 *
 * @module
 */

import { raw } from "hono/html";
import type { ClassMetrics } from "../../engine/class_metrics.ts";
import type { TestRecord } from "../../engine/train.ts";
import { chartHtml, confusionHeatmapSpec } from "../charts/charts.ts";
import { lossText, percent } from "../shell/format.ts";
import { ClassMetricsTable } from "./class_metrics_table.tsx";

export interface TestExample {
  /** Row in the test split. */
  index: number;
  actual: string;
  predicted: string;
  /** Probability the model gave its prediction. */
  confidence: number;
  /** PNG data URL, for image datasets. */
  src?: string;
}

export interface RunResults {
  test: TestRecord;
  classNames: string[];
  /** Precision, recall, F1 and support per class, from the confusion matrix. */
  classMetrics: ClassMetrics;
  /** The first test examples (image datasets only). */
  samples: TestExample[];
  /** Wrong predictions, most confident first. */
  wrong: TestExample[];
  wrongTotal: number;
  imageSide?: number;
}

/** Images are drawn 2× their size, pixels kept sharp by CSS. */
const IMAGE_SCALE = 2;

export function TestMetrics(props: { results: RunResults }) {
  const { test } = props.results;
  return (
    <dl class="metrics">
      <div>
        <dt>Test accuracy</dt>
        <dd>{percent(test.accuracy)}</dd>
      </div>
      <div>
        <dt>Test loss</dt>
        <dd>{lossText(test.loss)}</dd>
      </div>
      <div>
        <dt>Test examples</dt>
        <dd>{test.count.toLocaleString("en-US")}</dd>
      </div>
      <div>
        <dt>Wrong</dt>
        <dd>{props.results.wrongTotal.toLocaleString("en-US")}</dd>
      </div>
    </dl>
  );
}

export function ConfusionMatrix(props: { results: RunResults }) {
  const { test, classNames } = props.results;
  const side = Math.min(440, 150 + classNames.length * 30);
  const html = chartHtml(confusionHeatmapSpec({
    width: side,
    height: side,
    confusion: test.confusion,
    classNames,
  }));
  return (
    <section class="card confusion" id="confusion-matrix">
      <h2>Confusion matrix</h2>
      <p class="muted">
        Test examples by true class (rows) and predicted class (columns); shade is the share of each
        row.
      </p>
      <figure
        class="heatmap"
        id="chart-confusion"
        style={`width: ${side}px; aspect-ratio: 1`}
        aria-label="Confusion matrix"
      >
        {raw(html)}
      </figure>
      <ClassMetricsTable metrics={props.results.classMetrics} />
    </section>
  );
}

function ExampleFigure(props: { example: TestExample; side: number; showConfidence?: boolean }) {
  const { example } = props;
  const correct = example.actual === example.predicted;
  const size = props.side * IMAGE_SCALE;
  return (
    <li class={correct ? "right" : "wrong"}>
      <figure>
        <img
          src={example.src}
          width={size}
          height={size}
          alt={`Test example ${example.index}: true ${example.actual}, predicted ${example.predicted}`}
        />
        <figcaption>
          <span class="predicted">{example.predicted}</span>
          {correct ? null : <span class="actual">true {example.actual}</span>}
          {props.showConfidence && <span class="confidence">{percent(example.confidence, 1)}</span>}
        </figcaption>
      </figure>
    </li>
  );
}

export function TestImages(props: { results: RunResults }) {
  const { samples, imageSide } = props.results;
  if (!imageSide || samples.length === 0) return null;
  return (
    <section class="card test-images">
      <h2>Test images</h2>
      <p class="muted">
        The first {samples.length}{" "}
        test examples with the predicted label; wrong ones are marked red with the true label.
      </p>
      <ul class="example-grid">
        {samples.map((example) => (
          <ExampleFigure key={example.index} example={example} side={imageSide} />
        ))}
      </ul>
    </section>
  );
}

export function ConfidentlyWrong(props: { results: RunResults }) {
  const { wrong, imageSide, wrongTotal } = props.results;
  return (
    <section class="card confidently-wrong">
      <h2>Most confidently wrong</h2>
      {wrong.length === 0
        ? <p class="muted">Every test example was classified correctly.</p>
        : (
          <p class="muted">
            The {wrong.length} wrong predictions (of {wrongTotal}) the model was surest of.
          </p>
        )}
      {wrong.length > 0 && imageSide && (
        <ul class="example-grid">
          {wrong.map((example) => (
            <ExampleFigure example={example} side={imageSide} showConfidence />
          ))}
        </ul>
      )}
      {wrong.length > 0 && !imageSide && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th class="number" scope="col">Test row</th>
                <th scope="col">True</th>
                <th scope="col">Predicted</th>
                <th class="number" scope="col">Confidence</th>
              </tr>
            </thead>
            <tbody>
              {wrong.map((example) => (
                <tr>
                  <td class="number">{example.index}</td>
                  <td>{example.actual}</td>
                  <td>{example.predicted}</td>
                  <td class="number">{percent(example.confidence, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
