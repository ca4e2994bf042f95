/**
 * The spot price query window. The guide looks at the last hour; a zone can have stock and no price row in
 * that hour (the API samples sparsely and only reports changes), so the window widens step by step before
 * the zone is given up.
 */
export const WIDENING_STEPS_MINUTES: readonly number[] = [60, 6 * 60, 24 * 60, 7 * 24 * 60];

/** The requested window, then every wider step. */
export function priceWindows(requestedMinutes: number): number[] {
  return [requestedMinutes, ...WIDENING_STEPS_MINUTES.filter((step) => step > requestedMinutes)];
}

/**
 * The window's end: one minute before now, whole seconds. The API documents no future EndTime, and the Go
 * tool notes it rejects EndTime >= now; one end for the whole run keeps every query on the same window.
 */
export function priceWindowEnd(nowMs: number): number {
  return Math.floor((nowMs - 60_000) / 1000) * 1000;
}

export interface PriceQueryTimes {
  readonly startTime: string;
  readonly endTime: string;
}

export function priceQueryTimes(endMs: number, windowMinutes: number): PriceQueryTimes {
  return { startTime: formatApiTime(endMs - Math.round(windowMinutes * 60_000)), endTime: formatApiTime(endMs) };
}

/** `yyyy-MM-ddTHH:mm:ssZ`, the only form the API documents (no milliseconds). */
export function formatApiTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "60 min", "6 h", "7 d": how windows read in explanations. */
export function formatWindow(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}
