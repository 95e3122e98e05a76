/**
 * "Draw a digit" on a completed image run: a canvas (mouse, touch, pen), an image upload, and the
 * model's class probabilities as bars beside it. `static/draw_digit.js` posts the canvas as a PNG
 * to `POST /api/runs/:id/predict` as one draws (debounced) and fills in the bars the server drew
 * empty here; it also shows the 28×28 image the model saw after MNIST's preprocessing.
 *
 * @module
 */

export function DrawDigit(props: { id: number; classNames: string[] }) {
  return (
    <section
      class="card draw-digit"
      id="draw-digit"
      data-draw-digit
      data-predict-url={`/api/runs/${props.id}/predict`}
    >
      <h2>Draw a digit</h2>
      <p class="help">
        Draw with a mouse, a finger or a pen, or upload a picture; the model answers as you draw.
        Like MNIST's digits, what you draw is fitted into 20×20 pixels and centred by its centre of
        mass in 28×28 before the model sees it.
      </p>
      <div class="draw-grid">
        <div class="draw-pad">
          <canvas
            width="280"
            height="280"
            class="draw-canvas"
            role="img"
            aria-label="Drawing canvas"
          >
          </canvas>
          <div class="draw-actions">
            <button type="button" class="secondary" data-clear>Clear</button>
            <label class="button secondary draw-upload">
              Upload an image
              <input type="file" accept="image/*" data-upload />
            </label>
          </div>
          <figure class="draw-seen">
            <canvas width="28" height="28" data-seen role="img" aria-label="What the model sees">
            </canvas>
            <figcaption>What the model sees (28×28)</figcaption>
          </figure>
        </div>
        <div>
          <ol class="draw-bars" aria-label="Class probabilities">
            {props.classNames.map((name, k) => (
              <li data-class={k}>
                <span class="draw-class">{name}</span>
                <span class="draw-bar">
                  <span style="width: 0%"></span>
                </span>
                <span class="draw-value">—</span>
              </li>
            ))}
          </ol>
          <p class="draw-status muted" role="status" data-status>
            Draw a digit to see what the model makes of it.
          </p>
        </div>
      </div>
      <script src="/static/draw_digit.js"></script>
    </section>
  );
}
