// @ts-nocheck -- browser code over ECharts' untyped option objects
/**
 * Makes the server's charts interactive. Each `<figure>` holding a `script.chart-data` (see
 * chart_embed.ts) gets an ECharts chart drawn from the same option the server rendered to SVG:
 * exact values on hover, zoom and pan along x, a linear/log switch, smoothing, legend toggles,
 * trial points that open their run, and a picker where the figure offers variants. The SVG stays
 * underneath for the first paint and for browsers without scripts. When a live stream replaces
 * the data element, the chart takes the new points and keeps the reader's zoom, scale and
 * smoothing. Colours are the page's custom properties, read again when the scheme changes.
 *
 * @module
 */

import { smoothValues } from "./chart_smoothing.js";

const FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif";
/** Lines with more points than this are drawn sampled (every point stays in the data). */
const SAMPLE_ABOVE = 1000;
/** The reader's choices per figure, kept across live redraws of the page's parts. */
const choices = new Map();
/** Live charts by figure. */
const charts = new Map();
let echarts;

const cssColour = (name, fallback) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** The option's `var(--name, fallback)` colours as the scheme now paints them. */
function resolveColours(text) {
  return JSON.parse(
    text.replace(
      /var\((--[\w-]+),\s*([^)]+)\)/g,
      (_, name, fallback) => cssColour(name, fallback.trim()),
    ),
  );
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Axis labels short, tooltips exact. */
const AXIS_FORMATS = {
  percent: (v) => `${Number((v * 100).toFixed(1))}%`,
  number: (v) =>
    Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(1).replace(".0e", "e").replace("e+", "e")
      : String(Number(v.toPrecision(3))),
  // Seconds too: trials a few seconds apart otherwise share every label.
  time: (v) =>
    new Date(v).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
};
const EXACT_FORMATS = {
  percent: (v) => `${Number((v * 100).toFixed(2))}%`,
  number: (v) => String(Number(v.toPrecision(6))),
  time: (v) => new Date(v).toLocaleTimeString(),
};

function key(figure) {
  return figure.id || figure.getAttribute("aria-label") || "";
}

function single(axis) {
  return Array.isArray(axis) ? axis[0] : axis;
}

/** Whether a value a log axis cannot show (zero or below) is plotted. */
function nonPositive(option) {
  return (option.series ?? []).some((s) =>
    (s.data ?? []).some((d) => (Array.isArray(d) ? d[1] : d?.value?.[1]) <= 0)
  );
}

function axisTooltip(option, format) {
  const xName = single(option.xAxis)?.name ?? "";
  return (params) => {
    const list = Array.isArray(params) ? params : [params];
    const x = list[0]?.value?.[0];
    const lines = list.filter((p) => p.value?.[1] !== null && p.value?.[1] !== undefined)
      .map((p) => {
        const smoothed = String(p.seriesId ?? "").startsWith("smoothed") ? " (smoothed)" : "";
        return `${p.marker}${escapeHtml(p.seriesName)}${smoothed} <b>${format(p.value[1])}</b>`;
      });
    return [`${escapeHtml(xName)} ${escapeHtml(x)}`, ...lines].join("<br>");
  };
}

function itemTooltip(format) {
  return (p) => {
    if (p.data?.tip) return p.data.tip.map(escapeHtml).join("<br>");
    const value = Array.isArray(p.value) ? p.value.at(-1) : p.value;
    return `${escapeHtml(p.seriesName ?? "")} <b>${
      typeof value === "number" ? format(value) : escapeHtml(value)
    }</b>`;
  };
}

/** Each line twice while smoothing: the raw values faint, the moving average on top. */
function smoothSeries(option, weight) {
  const palette = option.color ?? [];
  option.series = option.series.flatMap((series, index) => {
    if (series.type !== "line") return [series];
    const colour = series.itemStyle?.color ?? palette[index % palette.length];
    const points = series.data.map((d) => (Array.isArray(d) ? d : d.value));
    const smoothed = smoothValues(points.map((p) => p[1]), weight);
    const faint = { opacity: 0.25 };
    return [
      {
        ...series,
        id: `raw-${index}`,
        color: colour,
        showSymbol: false,
        lineStyle: { ...series.lineStyle, ...faint, color: colour },
      },
      {
        ...series,
        id: `smoothed-${index}`,
        color: colour,
        data: points.map((p, i) => [p[0], smoothed[i]]),
        showSymbol: false,
        lineStyle: { ...series.lineStyle, color: colour },
      },
    ];
  });
}

/** Parallel coordinates without the axes the reader hid (the value axis always stays). */
function hideAxes(option, hidden) {
  const axes = option.parallelAxis;
  const kept = axes.filter((axis, i) => i === axes.length - 1 || !hidden.has(axis.name));
  const dims = kept.map((axis) => axis.dim);
  option.parallelAxis = kept.map((axis, dim) => ({ ...axis, dim }));
  if (option.visualMap) option.visualMap.dimension = kept.length - 1;
  for (const series of option.series) {
    series.data = series.data.map((row) => dims.map((dim) => row[dim]));
  }
}

/**
 * On a phone-sized chart a legend at the top right runs into a title's second line: it moves
 * under the title, and the plot down with it.
 */
function makeRoomForLegend(option, width) {
  const title = single(option.title);
  const legend = single(option.legend);
  if (width >= 480 || !title?.subtext || !legend || legend.show === false) return;
  if (legend.bottom !== undefined || (legend.top ?? 0) > 20) return;
  Object.assign(legend, { top: 44, right: 8 });
  const grid = single(option.grid);
  if (grid && typeof grid.top === "number") grid.top = Math.max(grid.top, 76);
}

function buildOption(base, meta, state, width = Infinity) {
  const option = structuredClone(base);
  makeRoomForLegend(option, width);
  option.animation = false;
  option.textStyle = { fontFamily: FONT, ...option.textStyle };
  const x = single(option.xAxis);
  const y = single(option.yAxis);
  const exact = EXACT_FORMATS[meta.yFormat ?? "number"];
  if (y && meta.yFormat) y.axisLabel = { ...y.axisLabel, formatter: AXIS_FORMATS[meta.yFormat] };
  if (x && meta.xFormat) x.axisLabel = { ...x.axisLabel, formatter: AXIS_FORMATS[meta.xFormat] };
  const valueAxis = option.parallelAxis?.at(-1);
  if (valueAxis && meta.yFormat) {
    valueAxis.axisLabel = { ...valueAxis.axisLabel, formatter: AXIS_FORMATS[meta.yFormat] };
  }
  if (meta.labelFormat) {
    for (const series of option.series ?? []) {
      if (series.label) {
        series.label.formatter = (p) => EXACT_FORMATS[meta.labelFormat](p.value);
      }
    }
  }
  if (y && meta.logToggle) {
    if (state.log) Object.assign(y, { type: "log", logBase: 10, scale: false });
    else {
      Object.assign(y, { type: "value", scale: true });
      delete y.min;
      delete y.max;
      delete y.logBase;
    }
  }
  if (meta.smoothing && state.smoothing > 0) smoothSeries(option, state.smoothing);
  // Thousands of epochs: drawn through largest-triangle sampling, as many points as pixels.
  for (const series of option.series ?? []) {
    if (series.type === "line" && (series.data?.length ?? 0) > SAMPLE_ABOVE) {
      series.sampling = "lttb";
    }
  }
  if (meta.axisPicker && state.hiddenAxes?.size) hideAxes(option, state.hiddenAxes);
  const items = (option.series ?? []).some((s) =>
    s.type !== "line" || (s.data ?? []).some((d) => d?.tip)
  );
  const tooltipStyle = {
    backgroundColor: cssColour("--paper", "#ffffff"),
    borderColor: cssColour("--line", "#dde2e8"),
    textStyle: { color: cssColour("--ink", "#1d232b"), fontFamily: FONT },
    confine: true,
  };
  // Over epochs or trials, a crosshair with its x and y read out on the axes.
  const crosshair = {
    type: "cross",
    label: {
      backgroundColor: cssColour("--muted", "#5b6675"),
      color: cssColour("--paper", "#ffffff"),
      fontFamily: FONT,
      formatter: (p) =>
        p.axisDimension === "y" ? exact(Number(p.value)) : escapeHtml(String(Math.round(p.value))),
    },
    lineStyle: { color: cssColour("--muted", "#5b6675"), type: "dashed" },
    crossStyle: { color: cssColour("--muted", "#5b6675") },
  };
  option.tooltip = items ? { ...tooltipStyle, trigger: "item", formatter: itemTooltip(exact) } : {
    ...tooltipStyle,
    trigger: "axis",
    formatter: axisTooltip(option, exact),
    ...(meta.integerX ? { axisPointer: crosshair } : {}),
  };
  if (meta.zoomX && x) {
    const zoomed = state.zoom && (state.zoom[0] > 0 || state.zoom[1] < 100);
    if (zoomed && meta.integerX) {
      delete x.axisTick?.customValues;
      delete x.axisLabel?.customValues;
      x.minInterval = 1;
    }
    const [start, end] = state.zoom ?? [0, 100];
    option.dataZoom = [{
      type: "inside",
      xAxisIndex: 0,
      filterMode: "none",
      zoomOnMouseWheel: "shift",
      moveOnMouseWheel: false,
      start,
      end,
    }];
  }
  return option;
}

function control(tools, html) {
  const wrapper = document.createElement("span");
  wrapper.innerHTML = html;
  tools.append(wrapper);
  return wrapper;
}

/** The tools under a chart; each change redraws from the base option. */
function buildTools(view) {
  const { state, tools, figure } = view;
  const { option: base, meta } = current(view);
  tools.replaceChildren();
  if (meta.variants) {
    const box = control(
      tools,
      `<label>${escapeHtml(meta.variants.label)} <select></select></label>`,
    );
    const select = box.querySelector("select");
    select.setAttribute("aria-label", meta.variants.label);
    for (const choice of meta.variants.choices) select.add(new Option(choice.name, choice.name));
    select.value = state.variant ?? meta.variants.choices[0].name;
    select.addEventListener("change", () => {
      state.variant = select.value;
      state.zoom = null;
      buildTools(view);
      draw(view);
    });
  }
  if (meta.logToggle) {
    const box = control(tools, `<label><input type="checkbox"> Log scale</label>`);
    const input = box.querySelector("input");
    input.checked = state.log;
    input.disabled = nonPositive(base) && !state.log;
    if (input.disabled) box.title = "A log scale needs every value above zero";
    input.addEventListener("change", () => {
      state.log = input.checked;
      draw(view);
    });
  }
  if (meta.smoothing) {
    const box = control(
      tools,
      `<label>Smoothing <input type="range" min="0" max="0.95" step="0.05"></label> <output></output>`,
    );
    const input = box.querySelector("input");
    const output = box.querySelector("output");
    input.value = String(state.smoothing);
    output.textContent = Number(state.smoothing).toFixed(2);
    input.addEventListener("input", () => {
      state.smoothing = Number(input.value);
      output.textContent = state.smoothing.toFixed(2);
      draw(view);
    });
  }
  if (meta.axisPicker) {
    const axes = base.parallelAxis.slice(0, -1);
    const box = control(tools, `<fieldset><legend>Axes</legend></fieldset>`);
    const fieldset = box.querySelector("fieldset");
    for (const axis of axes) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = !state.hiddenAxes.has(axis.name);
      input.addEventListener("change", () => {
        if (input.checked) state.hiddenAxes.delete(axis.name);
        else state.hiddenAxes.add(axis.name);
        draw(view);
      });
      label.append(input, ` ${axis.name}`);
      fieldset.append(label);
    }
  }
  if (meta.zoomX) {
    const box = control(tools, `<button type="button" class="secondary">Reset zoom</button>`);
    box.title = "Shift + wheel zooms the x axis; drag to pan";
    box.querySelector("button").addEventListener("click", () => {
      state.zoom = null;
      draw(view);
    });
  }
  figure.classList.toggle("chart-has-tools", tools.childElementCount > 0);
}

/** The option and meta of the variant picked, or the figure's own. */
function current(view) {
  const variant = view.meta.variants?.choices.find((c) => c.name === view.state.variant);
  if (!variant) return { option: view.base, meta: view.meta };
  const option = resolveColours(JSON.stringify(variant.option));
  return { option, meta: { ...view.meta, ...variant.meta, variants: view.meta.variants } };
}

function draw(view) {
  const { option, meta } = current(view);
  view.chart.setOption(buildOption(option, meta, view.state, view.box.clientWidth), true);
}

/**
 * A live chart redraws at most once per animation frame and {@linkcode REDRAW_EVERY_MS}, and
 * never spends more than a fifth of the page's time redrawing (a chart of thousands of points on
 * a slow machine waits four times its last redraw): data elements that come faster only replace
 * the one waiting (each holds every point so far, so no point is lost), and reading the JSON
 * waits for the redraw too.
 */
const REDRAW_EVERY_MS = 250;

function scheduleRedraw(view, script) {
  view.waiting = script;
  if (view.timer) return;
  const gap = Math.max(REDRAW_EVERY_MS, 4 * (view.drawMs ?? 0));
  const wait = Math.max(0, (view.drawnAt ?? 0) + gap - performance.now());
  view.timer = setTimeout(() =>
    requestAnimationFrame(() => {
      view.timer = null;
      const latest = view.waiting;
      view.waiting = null;
      if (!view.box.isConnected || !latest) return;
      const began = performance.now();
      const { option, meta } = resolveColours(latest.textContent);
      view.base = option;
      view.meta = meta;
      draw(view);
      view.chart.getZr().flush(); // paint now, so that the time measured includes it
      view.drawnAt = performance.now();
      view.drawMs = view.drawnAt - began;
    }), wait);
}

/** Reads the figure's data element: a new chart, or new points for the one it has. */
function hydrate(figure) {
  const script = figure.querySelector(":scope > script.chart-data");
  if (!script) return;
  let view = charts.get(figure);
  if (view && view.box.isConnected) return scheduleRedraw(view, script);
  const { size, option, meta } = resolveColours(script.textContent);
  const id = key(figure);
  const yAxis = single(option.yAxis);
  const state = choices.get(id) ??
    { log: yAxis?.type === "log", smoothing: 0, zoom: null, hiddenAxes: new Set() };
  choices.set(id, state);
  const box = document.createElement("div");
  box.className = "chart-box";
  box.style.aspectRatio = `${size.width} / ${size.height}`;
  const tools = document.createElement("div");
  tools.className = "chart-tools";
  figure.append(box, tools);
  figure.classList.add("chart-live");
  const chart = echarts.init(box, null, { renderer: "svg" });
  if (meta.group) {
    chart.group = meta.group;
    echarts.connect(meta.group);
  }
  view = { figure, box, tools, chart, base: option, meta, state, timer: null, waiting: null };
  charts.set(figure, view);
  chart.on("click", (params) => {
    if (params.data?.href) location.assign(params.data.href);
  });
  chart.on("datazoom", () => {
    const zoom = chart.getOption().dataZoom?.[0];
    if (zoom) state.zoom = [zoom.start, zoom.end];
  });
  view.narrow = box.clientWidth < 480;
  new ResizeObserver(() => {
    // Across a phone's width the legend moves (makeRoomForLegend): draw again, then fit.
    const narrow = box.clientWidth < 480;
    if (narrow !== view.narrow) {
      view.narrow = narrow;
      draw(view);
    }
    chart.resize();
  }).observe(box);
  buildTools(view);
  draw(view);
}

let loading;
/** ECharts' browser build (1 MB) is fetched only once a page has a chart. */
function loadEcharts() {
  loading ??= import("/static/echarts.esm.min.js").then((module) => {
    echarts = module;
    globalThis.echarts = module;
  });
  return loading;
}

async function hydrateWithin(node) {
  if (!(node instanceof Element)) return;
  const scripts = node.matches("script.chart-data")
    ? [node]
    : [...node.querySelectorAll("script.chart-data")];
  if (scripts.length === 0) return;
  await loadEcharts();
  for (const script of scripts) if (script.isConnected) hydrate(script.parentElement);
}

function release(node) {
  if (!(node instanceof Element)) return;
  for (const [figure, view] of charts) {
    if (!figure.isConnected && (node === figure || node.contains(figure))) {
      clearTimeout(view.timer);
      view.chart.dispose();
      charts.delete(figure);
    }
  }
}

/** Redraws every chart in the scheme's colours. */
function repaint() {
  for (const view of [...charts.values()]) {
    clearTimeout(view.timer);
    charts.delete(view.figure);
    view.chart.dispose();
    view.box.remove();
    view.tools.remove();
    hydrate(view.figure);
  }
}

/**
 * Pickers of which figures show (a study's slices): a checkbox with `data-toggles="id"` hides or
 * shows that figure; the choice outlives the live redraws that bring the picker back.
 */
const hiddenFigures = new Set();

function applyToggles(node) {
  if (!(node instanceof Element)) return;
  const inputs = node.matches("input[data-toggles]")
    ? [node]
    : node.querySelectorAll("input[data-toggles]");
  for (const input of inputs) {
    const id = input.dataset.toggles;
    input.checked = !hiddenFigures.has(id);
    const figure = document.getElementById(id);
    if (figure) figure.hidden = !input.checked;
  }
}

document.addEventListener("change", (event) => {
  const input = event.target.closest?.("input[data-toggles]");
  if (!input) return;
  const id = input.dataset.toggles;
  if (input.checked) hiddenFigures.delete(id);
  else hiddenFigures.add(id);
  applyToggles(input);
  // The chart was drawn while hidden, at no size: draw it again at its box's.
  const view = [...charts.values()].find((v) => v.figure.id === id);
  view?.chart.resize();
});

new MutationObserver((records) => {
  for (const record of records) {
    record.removedNodes.forEach(release);
    record.addedNodes.forEach(hydrateWithin);
    record.addedNodes.forEach(applyToggles);
  }
}).observe(document.documentElement, { childList: true, subtree: true });
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", repaint);
hydrateWithin(document.documentElement);
