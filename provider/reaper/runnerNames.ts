import { GENERATED_RUNNER_NAME } from "../contract/names";

/**
 * The provider names every runner `<prefix>-<arch>-<yyyymmddHHMM>-<suffix>` (naming.ts runnerNameFor). The
 * reaper only ever deletes runners whose names have exactly this shape: a hand-made runner that happens to
 * start with the prefix (say `openresty-builder`) is never touched. The time in the name (UTC, to the minute,
 * taken just before registration) is the runner's age, which GitHub's API does not give.
 */
const GENERATED_NAME = GENERATED_RUNNER_NAME;

export interface GeneratedRunnerName {
  readonly prefix: string;
  readonly arch: "amd64" | "arm64";
  /** When the name was made (ms since the epoch), to the minute. */
  readonly createdAt: number;
}

export function parseRunnerName(name: string): GeneratedRunnerName | undefined {
  const m = GENERATED_NAME.exec(name);
  if (!m) return undefined;
  const [, prefix, arch, y, mo, d, h, mi] = m;
  const createdAt = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  // Reject impossible dates (month 13, minute 61) that Date.UTC would silently roll over.
  const back = new Date(createdAt);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || back.getUTCHours() !== Number(h)
    || back.getUTCMinutes() !== Number(mi)) {
    return undefined;
  }
  return { prefix, arch: arch as "amd64" | "arm64", createdAt };
}
