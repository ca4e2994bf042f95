/** Time and number formats of the ECS API. */

/** 2026-01-01T00:00:00Z: timestamps in requests, price rows, acs:CurrentTime. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** 2026-01-01T00:00Z: CreationTime, StartTime, AutoReleaseTime and ExpiredTime in DescribeInstances. */
export function isoMinutes(ms: number): string {
  return new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, "Z");
}

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?Z$/;

/** Parses the API's UTC forms yyyy-MM-ddTHH:mm[:ss]Z; undefined when malformed. */
export function parseUtc(text: string): number | undefined {
  const m = UTC_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; the API rejects it.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return ms;
}

/** The strict form yyyy-MM-ddTHH:mm:ssZ (seconds required), as RunInstances documents AutoReleaseTime. */
export function parseUtcSeconds(text: string): number | undefined {
  return /:\d{2}:\d{2}Z$/.test(text) ? parseUtc(text) : undefined;
}

/** Prices carry at most three decimals on the wire. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function decimalPlaces(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
