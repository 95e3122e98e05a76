/**
 * The start page: device, recent runs and studies, datasets, and sample images of the selected
 * dataset. Picking another dataset swaps only the samples through htmx; without JavaScript the
 * same form reloads the page.
 *
 * @module
 */

import type { DatasetInfo } from "../../engine/data/load.ts";
import type { DeviceInfo } from "../../engine/device.ts";
import { DeviceCard } from "./device_card.tsx";
import { Layout } from "./layout.tsx";
import { RecentRuns, type RecentRunsProps } from "../runs/recent_runs.tsx";
import { type SamplePreview, SamplesView } from "../datasets/samples.tsx";
import { RecentStudies, type StudyListItem } from "../studies/study_list_page.tsx";

export interface HomeProps {
  device: DeviceInfo;
  datasets: DatasetInfo[];
  selected: DatasetInfo;
  preview: SamplePreview;
  recentRuns: RecentRunsProps;
  recentStudies: StudyListItem[];
}

export function HomePage(props: HomeProps) {
  return (
    <Layout current="/">
      <DeviceCard device={props.device} />
      <RecentRuns {...props.recentRuns} />
      <RecentStudies studies={props.recentStudies} />
      <DatasetTable datasets={props.datasets} />
      <section class="card samples">
        <h2>Samples</h2>
        <form
          class="dataset-picker"
          method="get"
          action="/"
          hx-get="/fragments/samples"
          hx-trigger="change"
          hx-target="#samples"
        >
          <label>
            Dataset{" "}
            <select name="dataset">
              {props.datasets.map((dataset) => (
                <option value={dataset.id} selected={dataset.id === props.selected.id}>
                  {dataset.name}
                </option>
              ))}
            </select>
          </label>{" "}
          <noscript>
            <button type="submit">Show</button>
          </noscript>
        </form>
        <div id="samples">
          <SamplesView info={props.selected} preview={props.preview} />
        </div>
      </section>
    </Layout>
  );
}

function DatasetTable(props: { datasets: DatasetInfo[] }) {
  const count = (n: number) => n > 0 ? n.toLocaleString("en-US") : "—";
  return (
    <section class="card datasets">
      <h2>Datasets</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th class="number">Train</th>
              <th class="number">Test</th>
              <th class="number">Features</th>
              <th class="number">Classes</th>
            </tr>
          </thead>
          <tbody>
            {props.datasets.map((dataset) => (
              <tr>
                <td>
                  <a href={`/?dataset=${encodeURIComponent(dataset.id)}`}>{dataset.name}</a>
                </td>
                <td>
                  <code>{dataset.id}</code>
                </td>
                <td class="number">{count(dataset.train)}</td>
                <td class="number">{count(dataset.test)}</td>
                <td class="number">{dataset.features}</td>
                <td class="number">{dataset.classes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted">
        A run can also name <code>idx:&lt;dir&gt;</code> or <code>csv:&lt;path&gt;</code>{" "}
        (numeric columns, the last one the label). A dash under Test means the split carves a test
        set out of the data.
      </p>
    </section>
  );
}
