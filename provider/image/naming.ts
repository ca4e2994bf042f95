import type { Arch } from "../contract/arch";
import { compactTimestamp } from "../naming";
import { MANAGED_BY_VALUE, TAG_KEYS } from "../tags";
import type { RunnerImageInputs } from "./inputs";

/**
 * Tags of RunnerImage's builders and images. The prefix tag scopes RAM (launch, stop, image, delete: docs/ram.md);
 * the bake tag finds what a lost answer made. Builders are managed by "spot-runner-image-builder", not
 * "spot-runner": the reaper judges runner instances by their GitHub runner, which a builder never has; a builder's
 * safety nets are RunnerImage's own cleanup and its AutoReleaseTime.
 */
export const IMAGE_TAG_KEYS = {
  /** The bake's unique id, on the builder and on the image. */
  bake: "spot-runner-image-bake",
  /** The actions/runner version the image carries. */
  runnerVersion: "spot-runner-runner-version",
} as const;
export const BUILDER_MANAGED_BY = `${MANAGED_BY_VALUE}-image-builder`;
export const IMAGE_MANAGED_BY = `${MANAGED_BY_VALUE}-image`;

/** `<prefix>-bake-<arch>-<yyyymmddHHMM>-<8>`: at most 63 characters, a tag value and the builder's host name. */
export function bakeIdFor(prefix: string, arch: Arch, nowMs: number, randomSuffix: string): string {
  const suffix = randomSuffix.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 8);
  return `${prefix}-bake-${arch}-${compactTimestamp(nowMs).slice(0, 12)}-${suffix}`;
}

/**
 * `<prefix>-runner-<arch>-<version>-<yyyymmdd>-<4>`: the architecture, the runner version and the date, as a person
 * scanning the image list wants them. Image names allow letters, digits, `:`, `_` and `-` (no dots), so 2.337.0 is
 * written 2-337-0; the suffix keeps two bakes of one day apart.
 */
export function imageNameFor(prefix: string, arch: Arch, runnerVersion: string, nowMs: number, bakeId: string): string {
  return `${prefix}-runner-${arch}-${runnerVersion.replace(/\./g, "-")}-${compactTimestamp(nowMs).slice(0, 8)}-${bakeId.slice(-4)}`;
}

export function builderTagsFor(inputs: RunnerImageInputs, bakeId: string): Record<string, string> {
  return {
    [TAG_KEYS.managedBy]: BUILDER_MANAGED_BY,
    [TAG_KEYS.prefix]: inputs.namePrefix,
    [TAG_KEYS.arch]: inputs.arch,
    [IMAGE_TAG_KEYS.bake]: bakeId,
    ...(inputs.stackName ? { [TAG_KEYS.stack]: inputs.stackName } : {}),
    ...(inputs.runId ? { [TAG_KEYS.runId]: inputs.runId } : {}),
  };
}

export function imageTagsFor(inputs: RunnerImageInputs, bakeId: string, runnerVersion: string): Record<string, string> {
  return { ...builderTagsFor(inputs, bakeId), [TAG_KEYS.managedBy]: IMAGE_MANAGED_BY, [IMAGE_TAG_KEYS.runnerVersion]: runnerVersion };
}
