/**
 * The run page's "What the first layer learned": the strongest first-layer units' weights as
 * 28×28 pictures (see `first_layer_images.ts`). A model without hidden layers shows its output
 * units instead, one template per class.
 *
 * @module
 */

import type { UnitImage } from "./first_layer_images.ts";

/** Pictures are drawn 3× their size, pixels kept sharp by CSS. */
const SCALE = 3;

export interface FirstLayerProps {
  images: UnitImage[];
  side: number;
  /** Units in the layer drawn. */
  units: number;
  /** Class names when the layer drawn is the output layer (a model without hidden layers). */
  classNames?: string[];
}

const weight = (value: number) => value.toPrecision(2);

export function FirstLayer(props: FirstLayerProps) {
  const { images, side, units, classNames } = props;
  const size = side * SCALE;
  return (
    <section class="card first-layer" id="first-layer">
      <h2>What the first layer learned</h2>
      <p class="help">
        {classNames
          ? `This model has no hidden layer: each class's output unit weighs the ${side}×${side} ` +
            "pixels directly, so its weights are a template of the class."
          : `Each picture is one unit of the first hidden layer: its ${side * side} incoming ` +
            `weights laid out as the ${side}×${side} image they look at. ` +
            `The ${images.length} of ${units} units with the largest weight norm, strongest first.`}
        {" "}
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
    </section>
  );
}
