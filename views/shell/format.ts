/**
 * How numbers read on the pages: accuracies as percentages, losses to four places, durations
 * in words a person estimates with.
 *
 * @module
 */

/** 0.9731 → "97.31%"; null (no dev split) → "—". */
export function percent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;
}

/** A loss to four significant places; null → "—". */
export function lossText(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return Math.abs(value) >= 1000 ? value.toExponential(3) : value.toPrecision(4);
}

/** 0.42 → "0.42 s", 95 → "1 min 35 s", 4000 → "1 h 7 min". */
export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = Math.round(seconds - minutes * 60);
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes - hours * 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** "2024-05-01 14:03" in the server's time zone, stable across browsers. */
export function timestamp(date: Date | number | null | undefined): string {
  if (date === null || date === undefined) return "—";
  const d = new Date(date);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
