import { createHash } from "node:crypto";
import { EcsCall, EcsResponseBody, requireRegion } from "../call";
import { ecsError, missingParameter } from "../errors";
import { regionCode } from "../../ids";
import { bakeDoneAt, bakeManifestIn, CustomImageRecord } from "../../state/images";
import { statusAt } from "../../state/instance";
import { requireInstance } from "./describeInstances";
import { readTags } from "./launchParams";

/** Parameters that belong to the signature or transport, not to the request: left out of the idempotency check. */
const NON_REQUEST_PARAMS = new Set([
  "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType",
  "AccessKeyId", "Signature", "SecurityToken", "BearerToken",
]);

/** ImageName: 2-128 characters, starting with a letter (or a Chinese character), then letters, digits, `:`, `_`, `-`. */
const IMAGE_NAME = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5:_-]{1,127}$/;

/**
 * CreateImage from an instance (InstanceId; the snapshot forms are not modelled): the instance must be Running or
 * Stopped (IncorrectInstanceStatus otherwise). The image is Creating for timing.imageCreateMs, then Available; one
 * snapshot of the system disk is taken, which outlives the image. A ClientToken makes it idempotent (the same
 * parameters give the same ImageId; others IdempotentParameterMismatch). The image carries what the instance's bake
 * script had finished writing by now: a builder imaged before its done marker carries nothing.
 */
export function createImage(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const world = call.world;
  const region = requireRegion(call);
  const clientToken = p.get("ClientToken");
  if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x20-\x7e]+$/.test(clientToken))) {
    throw ecsError("InvalidClientToken.ValueNotSupported");
  }
  const fingerprint = requestFingerprint(call);
  const tokenKey = clientToken === undefined ? undefined : `${region.regionId}|${clientToken}`;
  if (tokenKey !== undefined) {
    const previous = world.imageIdempotency.get(tokenKey);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw ecsError("IdempotentParameterMismatch", `The request is retried with updated parameters: ClientToken "${clientToken}" was used for a different CreateImage request.`);
      }
      return { ImageId: previous.imageId };
    }
  }

  const instanceId = p.get("InstanceId");
  if (instanceId === undefined) {
    if (p.has("SnapshotId") || p.objectList("DiskDeviceMapping", 17).length > 0) {
      throw ecsError("InvalidParameter", "The emulator models CreateImage from an instance (InstanceId) only, not from snapshots.");
    }
    throw missingParameter("InstanceId");
  }
  const name = p.get("ImageName");
  if (name !== undefined && (!IMAGE_NAME.test(name) || /^https?:\/\//.test(name))) {
    throw ecsError("InvalidImageName.Malformed", `The specified ImageName "${name}" is not valid: 2-128 characters, starting with a letter, then letters, digits, ":", "_" or "-".`);
  }
  const description = p.get("Description") ?? "";
  if (description !== "" && (description.length < 2 || description.length > 256 || /^https?:\/\//.test(description))) {
    throw ecsError("InvalidDescription.Malformed", "The specified Description is not valid: 2-256 characters, not starting with http:// or https://.");
  }
  const tags = readTags(call);
  const instance = requireInstance(world, instanceId, call.now, region.regionId);
  const status = statusAt(instance, world.timing, call.now);
  if (status !== "Running" && status !== "Stopped") {
    throw ecsError("IncorrectInstanceStatus", `The current status of the resource does not support this operation: ${instanceId} is ${status}; an image is made from a Running or Stopped instance.`);
  }
  if (name !== undefined && [...world.customImages.values()].some((i) => i.regionId === region.regionId && i.imageName === name)) {
    throw ecsError("InvalidImageName.Duplicated", `The specified ImageName "${name}" is already used by another image in ${region.regionId}.`);
  }
  if (p.bool("DryRun")) throw ecsError("DryRunOperation");

  const code = regionCode(region.regionId);
  const imageId = world.ids.next("m", code);
  const snapshotId = world.ids.next("s", code);
  const manifest = bakeManifestIn(instance.userData);
  const carries = manifest && bakeDoneAt(instance.runningAt, world.timing) <= call.now ? manifest : undefined;
  const image: CustomImageRecord = {
    imageId,
    regionId: region.regionId,
    imageName: name ?? imageId,
    architecture: instance.instanceType.cpuArchitecture === "ARM" ? "arm64" : "x86_64",
    osType: instance.image.osType,
    osName: instance.image.osName,
    imageOwnerAlias: "self",
    size: instance.systemDisk.size,
    description,
    tags,
    createdAt: call.now,
    availableAt: call.now + world.timing.imageCreateMs,
    sourceInstanceId: instance.instanceId,
    snapshotIds: [snapshotId],
    ...(carries ? { carries } : {}),
  };
  world.customImages.set(imageId, image);
  world.snapshots.set(snapshotId, { snapshotId, regionId: region.regionId, sizeGiB: instance.systemDisk.size, tags, createdAt: call.now, imageId });
  if (tokenKey !== undefined) world.imageIdempotency.set(tokenKey, { fingerprint, imageId });
  return { ImageId: imageId };
}

/**
 * DeleteImage: a custom image that does not exist is ignored (the API says so). Still Creating: 403
 * ImageIsCreating; used by an instance that still exists and no Force: 403 ImageUsingByInstance. Its snapshots stay.
 */
export function deleteImage(call: EcsCall): EcsResponseBody {
  const world = call.world;
  const region = requireRegion(call);
  const imageId = call.params.require("ImageId");
  const image = world.customImages.get(imageId);
  if (!image || image.regionId !== region.regionId) return {};
  if (call.now < image.availableAt) {
    throw ecsError("ImageIsCreating", `The specified image ${imageId} is being created; delete it once it is Available.`);
  }
  const users = [...world.instances.values()].filter((i) => i.image.imageId === imageId && statusAt(i, world.timing, call.now) !== undefined);
  if (users.length > 0 && !call.params.bool("Force")) {
    throw ecsError("ImageUsingByInstance", `The specified image has been used to create instances: ${users.map((i) => i.instanceId).join(", ")} still exist. Use Force to delete it anyway.`);
  }
  if (call.params.bool("DryRun")) throw ecsError("DryRunOperation");
  world.customImages.delete(imageId);
  return {};
}

/** DeleteSnapshot (no RegionId): an unknown snapshot is ignored; one an existing image uses is 403 SnapshotCreatedImage. */
export function deleteSnapshot(call: EcsCall): EcsResponseBody {
  const world = call.world;
  const snapshotId = call.params.require("SnapshotId");
  const snapshot = world.snapshots.get(snapshotId);
  if (!snapshot) return {};
  if (world.customImages.has(snapshot.imageId)) {
    throw ecsError("SnapshotCreatedImage", `The snapshot ${snapshotId} has been used to create user defined image(s): delete ${snapshot.imageId} first.`);
  }
  world.snapshots.delete(snapshotId);
  return {};
}

function requestFingerprint(call: EcsCall): string {
  const entries = Object.entries(call.params.raw)
    .filter(([k]) => !NON_REQUEST_PARAMS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}
