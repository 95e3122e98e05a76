import { type DeviceInfo, deviceLabel, SOFTWARE_ADAPTER_MIN_BATCH } from "../../engine/device.ts";

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
        <p class="muted">Every run trains on the CPU reference backend.</p>
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
      <p class="muted">
        {device.isFallbackAdapter
          ? `Runs with device "auto" train here when their batches hold ` +
            `${SOFTWARE_ADAPTER_MIN_BATCH} examples or more; smaller batches train on the CPU ` +
            "reference, which is faster for them."
          : 'Runs with device "auto" train on this GPU.'}
      </p>
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
