import { createHash } from "node:crypto";

/** UTC compact timestamp: 20261128T103000 -> "20261128103000". */
export function compactTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/**
 * The instance name from the guide, `<prefix>-<arch>-spot-<timestamp>`, so the guide's console filters
 * (`InstanceName openresty-arm64-spot-*`) keep working.
 */
export function instanceNameFor(prefix: string, arch: string, nowMs: number): string {
  return `${prefix}-${arch}-spot-${compactTimestamp(nowMs)}`;
}

/**
 * The runner's unique name, which is also its unique job label: `runs-on: <name>` can only be
 * served by this runner, so no other job can take it. Lowercase letters, digits and hyphens: valid as a runner
 * name, a label, a host name and a tag value.
 */
export function runnerNameFor(prefix: string, arch: string, nowMs: number, randomSuffix: string): string {
  const suffix = randomSuffix.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 8);
  return `${prefix}-${arch}-${compactTimestamp(nowMs).slice(0, 12)}-${suffix}`;
}

/**
 * Idempotency token for one launch attempt. The same token for network retries of one attempt (so a
 * RunInstances whose answer was lost returns the same instance instead of a second one); a different token
 * for each next candidate or changed terms (a stock failure must not be replayed, and the API refuses one token
 * with other parameters). ASCII letters, digits and '-', at most 64 characters, as the API requires.
 */
export function clientTokenFor(runnerName: string, attemptKey: string): string {
  const digest = createHash("sha256").update(`${runnerName}|${attemptKey}`).digest("hex").slice(0, 40);
  return `sr-${digest}`;
}

/** The API's minimum: AutoReleaseTime at least 30 minutes after the server's current time. */
export const MIN_AUTO_RELEASE_MINUTES = 30;
/** Asked on top of the minimum, so a client clock a little behind the server's cannot make a launch fall short. */
const CLOCK_SKEW_MARGIN_MINUTES = 2;

/**
 * AutoReleaseTime: whole minutes, UTC, `yyyy-MM-ddTHH:mm:ssZ` as ECS wants it; rounded up so the TTL is never
 * shorter, and never closer than the minimum plus a margin for clock skew.
 */
export function autoReleaseTimeFor(nowMs: number, ttlMinutes: number): string {
  const minute = 60_000;
  const minutes = Math.max(ttlMinutes, MIN_AUTO_RELEASE_MINUTES + CLOCK_SKEW_MARGIN_MINUTES);
  const at = Math.ceil((nowMs + minutes * minute) / minute) * minute;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}
