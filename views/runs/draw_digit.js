// The run page's "Draw a digit" (views/runs/draw_digit.tsx): pointer events draw white ink on a
// black canvas, as MNIST's digits are; the canvas goes as a PNG to the run's predict endpoint a
// moment after each change (one request in flight, the newest drawing wins), and the answer fills
// in the probability bars and the 28×28 image the model saw. Loaded again with each swapped-in
// panel, it sets up only panels it has not seen.
(() => {
  if (globalThis.setUpDrawDigits) {
    globalThis.setUpDrawDigits();
    return;
  }

  /** Ink width on the 280-pixel canvas: about 2 px once a digit is fitted to MNIST's 20 px. */
  const INK_WIDTH = 24;
  /** Quiet time after a change before the drawing is sent. */
  const DEBOUNCE_MS = 150;

  function setUp(panel) {
    panel.dataset.ready = "";
    const canvas = panel.querySelector(".draw-canvas");
    const seen = panel.querySelector("[data-seen]");
    const status = panel.querySelector("[data-status]");
    const bars = [...panel.querySelectorAll(".draw-bars li")];
    const idleText = status.textContent;
    const ink = canvas.getContext("2d");
    let timer = null;
    let inFlight = null;
    let dirty = false;
    let last = null;

    const clear = () => {
      ink.fillStyle = "#000";
      ink.fillRect(0, 0, canvas.width, canvas.height);
    };

    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) / box.width) * canvas.width,
        y: ((event.clientY - box.top) / box.height) * canvas.height,
      };
    };

    const stroke = (from, to) => {
      ink.strokeStyle = "#fff";
      ink.lineWidth = INK_WIDTH;
      ink.lineCap = "round";
      ink.lineJoin = "round";
      ink.beginPath();
      ink.moveTo(from.x, from.y);
      ink.lineTo(to.x, to.y);
      ink.stroke();
    };

    // "drawing" until the answer to the latest drawing is shown, then "answered" (or "failed"):
    // what a test waits for.
    const changed = () => {
      panel.dataset.state = "drawing";
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(send, DEBOUNCE_MS);
    };

    const show = (answer) => {
      const best = answer.predicted;
      answer.probabilities.forEach((p, k) => {
        const bar = bars[k];
        if (!bar) return;
        bar.querySelector(".draw-bar span").style.width = `${(p * 100).toFixed(1)}%`;
        bar.querySelector(".draw-value").textContent = `${(p * 100).toFixed(1)}%`;
        bar.classList.toggle("top", k === best);
      });
      const sure = (answer.probabilities[best] * 100).toFixed(1);
      status.textContent = `The model says ${answer.classes[best]} (${sure}%).`;
      const picture = seen.getContext("2d");
      const image = picture.createImageData(28, 28);
      answer.input.forEach((value, i) => {
        image.data.set([value, value, value, 255], i * 4);
      });
      picture.putImageData(image, 0, 0);
    };

    const reset = () => {
      bars.forEach((bar) => {
        bar.querySelector(".draw-bar span").style.width = "0%";
        bar.querySelector(".draw-value").textContent = "—";
        bar.classList.remove("top");
      });
      seen.getContext("2d").clearRect(0, 0, 28, 28);
      status.textContent = idleText;
    };

    async function send() {
      if (inFlight) return; // its completion sends again if the drawing changed meanwhile
      dirty = false;
      inFlight = new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      try {
        const body = await inFlight;
        const response = await fetch(panel.dataset.predictUrl, {
          method: "POST",
          headers: { "Content-Type": "image/png" },
          body,
        });
        const answer = await response.json();
        if (response.ok) show(answer);
        else status.textContent = answer.error ?? `The server answered ${response.status}.`;
        panel.dataset.state = response.ok ? "answered" : "failed";
      } catch (error) {
        status.textContent = `Could not ask the model: ${error.message}`;
        panel.dataset.state = "failed";
      } finally {
        inFlight = null;
        if (dirty) changed();
      }
    }

    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
      stroke(last, last);
      changed();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!last) return;
      const events = event.getCoalescedEvents?.() ?? [event];
      for (const each of events.length ? events : [event]) {
        const next = point(each);
        stroke(last, next);
        last = next;
      }
      changed();
    });
    const lift = () => {
      last = null;
    };
    canvas.addEventListener("pointerup", lift);
    canvas.addEventListener("pointercancel", lift);

    panel.querySelector("[data-clear]").addEventListener("click", () => {
      clearTimeout(timer);
      dirty = false;
      clear();
      reset();
      panel.dataset.state = "empty";
    });

    panel.querySelector("[data-upload]").addEventListener("change", async (event) => {
      const file = event.target.files?.[0];
      if (!file) return;
      try {
        const picture = await createImageBitmap(file);
        // Fitted whole, the margins in the picture's own corner colour, so a photo of ink on
        // paper keeps a paper-coloured border (the server turns such a picture the right way up).
        const scale = Math.min(canvas.width / picture.width, canvas.height / picture.height);
        const width = picture.width * scale;
        const height = picture.height * scale;
        ink.drawImage(picture, 0, 0, 1, 1, 0, 0, canvas.width, canvas.height);
        ink.drawImage(
          picture,
          (canvas.width - width) / 2,
          (canvas.height - height) / 2,
          width,
          height,
        );
        changed();
      } catch {
        status.textContent = `Could not read ${file.name} as an image.`;
      }
      event.target.value = "";
    });

    clear();
  }

  const setUpAll = () => {
    document.querySelectorAll("[data-draw-digit]:not([data-ready])").forEach(setUp);
  };
  globalThis.setUpDrawDigits = setUpAll;
  setUpAll();
  document.addEventListener("htmx:after:settle", setUpAll);
})();
