import type { AutoReport } from "../../engine/auto_device.ts";
import { type DeviceInfo, deviceLabel } from "../../engine/device.ts";

export function DeviceCard(props: { device: DeviceInfo }) {
  const { device } = props;
  const label = deviceLabel(device);
  if (device.backend === "cpu") {
    return (
      <section class="card device">
        <h2>Device</h2>
        <p>
          <span class="badge cpu">{label}</span> {device.reason}
        </p>
        <p class="muted">Every run trains on the CPU backend.</p>
      </section>
    );
  }
  return (
    <section class="card device">
      <h2>Device</h2>
      <p>
        <span class={device.isFallbackAdapter ? "badge fallback" : "badge"}>{label}</span>{" "}
        {device.description || device.vendor || "WebGPU adapter"}
      </p>
      {device.auto ? <AutoChoices auto={device.auto} /> : null}
      <details>
        <summary>Limits and features</summary>
        <dl class="limits">
          {Object.entries(device.limits).map(([name, value]) => (
            <>
              <dt>{name}</dt>
              <dd>{value.toLocaleString("en-US")}</dd>
            </>
          ))}
        </dl>
        <p class="muted">Features: {device.features.join(", ") || "none"}</p>
      </details>
    </section>
  );
}

/** What device "auto" trains the default model on here, per batch size, and the figures. */
function AutoChoices(props: { auto: AutoReport }) {
  const { auto } = props;
  const backends = new Set(auto.examples.map((example) => example.backend));
  const where = (backend: string) => backend === "webgpu" ? "this adapter" : "the CPU";
  return (
    <>
      <p class="muted">
        {backends.size === 1
          ? `Runs with device "auto" train on ${where([...backends][0])} here`
          : `Runs with device "auto" train where they are predicted fastest here: ` +
            auto.examples.map((example) => `batch ${example.batch} on ${where(example.backend)}`)
              .join(", ")}
        {auto.calibration
          ? ` (measured ${auto.calibration.measuredAt.slice(0, 10)}; the default model on ` +
            `MNIST, batch 128: ${predicted(auto)}).`
          : ` (${auto.rule}).`}
      </p>
    </>
  );
}

function predicted(auto: AutoReport): string {
  const example = auto.examples.find((shape) => shape.batch === 128) ?? auto.examples[0];
  return (auto.calibration?.candidates ?? []).map((candidate, i) =>
    `${candidate.backend === "webgpu" ? "adapter" : "CPU"} ${
      (example.epochSeconds?.[i] ?? NaN).toPrecision(2)
    } s an epoch`
  ).join(", ");
}
