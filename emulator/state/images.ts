import type { ScenarioImage, ScenarioTiming } from "../scenario/types";
// A function import only, used at call time: world.ts imports this module too.
import { decodeUserData } from "./world";

/**
 * What a baked runner image carries, as the bake script records it in /etc/spot-runner/baked.json (and the
 * bootstrap reads it back). The emulator reads the same document from the builder's user data, where the renderer
 * put it as one shell assignment, so an image made from a finished builder "carries" exactly what the script wrote.
 */
export interface BakeManifest {
  readonly schema: 1;
  readonly arch: "amd64" | "arm64";
  readonly runnerVersion: string;
  readonly runnerSha256: string;
  readonly runnerDir: string;
  readonly runnerUser: string;
  readonly buildkitImage: string;
}

/** The one line of a rendered bake script that holds its manifest (provider/bake/renderBakeScript.ts writes it). */
const MANIFEST_LINE = /^BAKE_MANIFEST_JSON='([^'\n]*)'$/m;

/** The manifest a bake script in this user data will write, or undefined when the user data is no bake script. */
export function bakeManifestIn(userDataBase64: string | undefined): BakeManifest | undefined {
  if (userDataBase64 === undefined) return undefined;
  const match = MANIFEST_LINE.exec(decodeUserData(userDataBase64));
  if (!match) return undefined;
  try {
    const parsed = JSON.parse(match[1]) as Partial<BakeManifest>;
    return parsed && parsed.schema === 1 && typeof parsed.runnerVersion === "string" ? (parsed as BakeManifest) : undefined;
  } catch {
    return undefined;
  }
}

export type ImageStatus = "Creating" | "Available";

/** A custom image CreateImage made: a ScenarioImage (so instances can boot from it) plus its lifecycle. */
export interface CustomImageRecord extends ScenarioImage {
  readonly imageOwnerAlias: "self";
  readonly description: string;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly createdAt: number;
  /** Creating until then, Available after. */
  readonly availableAt: number;
  readonly sourceInstanceId: string;
  readonly snapshotIds: readonly string[];
  /** What the builder's bake script had finished writing when the image was taken; undefined for a stock copy. */
  readonly carries?: BakeManifest;
}

/** A snapshot CreateImage took of the instance's system disk. */
export interface SnapshotRecord {
  readonly snapshotId: string;
  readonly regionId: string;
  readonly sizeGiB: number;
  /** The image's tags (assumed: docs/emulator.md, conformance). */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly createdAt: number;
  readonly imageId: string;
}

export function imageStatusAt(image: CustomImageRecord, now: number): ImageStatus {
  return now >= image.availableAt ? "Available" : "Creating";
}

/** Progress as DescribeImages shows it ("37%"), linear over the creation time. */
export function imageProgressAt(image: CustomImageRecord, now: number): string {
  const span = image.availableAt - image.createdAt;
  const done = span <= 0 ? 1 : Math.min(1, Math.max(0, (now - image.createdAt) / span));
  return `${Math.floor(done * 100)}%`;
}

/** When a builder's bake script prints its done marker: bakeMs after the instance is Running. */
export function bakeDoneAt(runningAt: number, timing: ScenarioTiming): number {
  return runningAt + timing.bakeMs;
}
