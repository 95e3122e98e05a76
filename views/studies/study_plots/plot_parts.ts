/**
 * What the study plots share: a title with a subtitle, the note of an empty plot, and the
 * parameter pairs a contour or rank plot can show.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import { FONT, INK, MUTED, PAPER } from "../../charts/charts.ts";

export function plotTitle(text: string, subtext?: string) {
  return {
    text,
    subtext,
    left: 8,
    top: 4,
    itemGap: 2,
    textStyle: { fontSize: 14, color: INK },
    subtextStyle: { fontSize: 11, color: MUTED },
  };
}

/** Centred grey text on the card's colour for a plot with nothing to draw. */
export function emptyNote(text: string | undefined): EChartsOption["graphic"] {
  if (!text) return [];
  return [{
    type: "text",
    left: "center",
    top: "middle",
    style: { text, fill: MUTED, fontSize: 13, fontFamily: FONT, backgroundColor: PAPER },
  }];
}

/** Every unordered pair of names, in the order given: [a, b], [a, c], [b, c]. */
export function paramPairs(names: readonly string[]): [string, string][] {
  return names.flatMap((a, i) => names.slice(i + 1).map((b): [string, string] => [a, b]));
}
