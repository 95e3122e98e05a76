/**
 * The run page's "What the first layer learned": the strongest first-layer units' weights as
 * 28×28 pictures (see `first_layer_images.ts`). A model without hidden layers shows its output
 * units instead, one template per class.
 *
 * While the run trains, the pictures follow each epoch: a run trained by this server carries its
 * first layer's strongest units in every epoch's result (`engine/first_layer.ts`: in the GPU's
 * one readback per epoch, no wait of its own); a run trained elsewhere shows its latest
 * checkpoint (saved every `AJUSTE_CHECKPOINT_SECONDS`, 10 s by default). The section asks
 * `/runs/:id/first-layer` again after each message of the page's live stream and every 2 s; the
 * server answers 204, and nothing is redrawn, until a newer epoch or checkpoint is there.
 *
 * @module
 */

import type { UnitImage } from "./first_layer_images.ts";
import { IDS } from "./run_parts.tsx";

/** Pictures are drawn 3× their size, pixels kept sharp by CSS. */
const SCALE = 3;

export interface FirstLayerProps {
  images: UnitImage[];
  side: number;
  /** Units in the layer drawn. */
  units: number;
  /** Class names when the layer drawn is the output layer (a model without hidden layers). */
  classNames?: string[];
  /** A run still training: where its pictures come from, and when to ask for newer ones. */
  live?: LiveFirstLayer;
}

export interface LiveFirstLayer {
  runId: number;
  /**
   * What is drawn: when it was saved or arrived (ms), the epochs it covers, and whether it is the
   * latest epoch's own snapshot (`perEpoch`) rather than a checkpoint; null before either.
   */
  checkpoint: { savedAt: number; epoch: number; midEpoch: boolean; perEpoch?: boolean } | null;
}

/** Where a live section asks for its next pictures. */
export function firstLayerHref(runId: number, savedAt: number | null): string {
  return `/runs/${runId}/first-layer?saved=${savedAt ?? 0}`;
}

const weight = (value: number) => value.toPrecision(2);

export function FirstLayer(props: FirstLayerProps) {
  const { images, side, units, classNames, live } = props;
  const size = side * SCALE;
  const refresh = live
    ? {
      "hx-get": firstLayerHref(live.runId, live.checkpoint?.savedAt ?? null),
      // The stream's epoch message comes before that epoch's save: the timer catches the save.
      "hx-trigger": `htmx:sse:after:message from:#${IDS.live}, every 2s`,
      "hx-swap": "outerHTML",
    }
    : {};
  return (
    <section class="card first-layer" id="first-layer" {...refresh}>
      <h2>What the first layer learned</h2>
      {live && <LiveNote checkpoint={live.checkpoint} />}
      {images.length > 0 && (
        <>
          <p class="help">
            {classNames
              ? "This model has no hidden layer: each class's output unit weighs the " +
                `${side}×${side} pixels directly, so its weights are a template of the class.`
              : `Each picture is one unit of the first hidden layer: its ${side * side} incoming ` +
                `weights laid out as the ${side}×${side} image they look at. ` +
                `The ${images.length} of ${units} units with the largest weight norm, ` +
                "strongest first."}{" "}
            Red pixels excite the unit when inked, blue ones inhibit it; white is 0. Each picture's
            colours are scaled to its own largest |weight|.
          </p>
          <div class="weight-scale" aria-hidden="true">
            <span>−max</span>
            <span class="weight-gradient"></span>
            <span>+max</span>
          </div>
          <ul class="unit-grid">
            {images.map((image) => {
              const name = classNames ? `Class ${classNames[image.unit]}` : `Unit ${image.unit}`;
              const title = `${name}: ‖w‖ = ${weight(image.norm)}, ` +
                `weights from ${weight(image.min)} to ${weight(image.max)}`;
              return (
                <li title={title}>
                  <img src={image.src} width={size} height={size} alt={title} />
                  <span>{classNames ? classNames[image.unit] : `#${image.unit}`}</span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

function LiveNote(props: { checkpoint: LiveFirstLayer["checkpoint"] }) {
  const { checkpoint } = props;
  if (!checkpoint) {
    return (
      <p class="muted" data-live-epoch="">
        The pictures appear after the first epoch (with layer statistics off, or for a run trained
        by another process, after its first save) and follow the run while it trains.
      </p>
    );
  }
  const where = checkpoint.midEpoch
    ? `partway through epoch ${checkpoint.epoch + 1}`
    : `after epoch ${checkpoint.epoch}`;
  return (
    <p class="muted" data-live-epoch={String(checkpoint.epoch)}>
      {checkpoint.perEpoch
        ? `While training: the weights after epoch ${checkpoint.epoch}; they follow each epoch.`
        : `While training: the weights ${where}, as the run last saved them; they follow each save.`}
    </p>
  );
}
