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
 * Idempotency token for one launch attempt. The same token for network retries of one candidate (so a
 * RunInstances whose answer was lost returns the same instance instead of a second one); a different token
 * for each next candidate (a stock failure must not be replayed). ASCII, at most 64 characters.
 */
export function clientTokenFor(runnerName: string, attempt: number): string {
  const digest = createHash("sha256").update(`${runnerName}|${attempt}`).digest("hex").slice(0, 40);
  return `sr-${attempt}-${digest}`;
}

/** AutoReleaseTime: whole minutes, UTC, ISO 8601 as ECS wants it; rounded up so the TTL is never shorter. */
export function autoReleaseTimeFor(nowMs: number, ttlMinutes: number): string {
  const minute = 60_000;
  const at = Math.ceil((nowMs + ttlMinutes * minute) / minute) * minute;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}
