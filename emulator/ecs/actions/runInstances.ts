import { createHash, randomUUID } from "node:crypto";
import type { ScenarioImage, ScenarioInstanceType, ScenarioVSwitch } from "../../scenario/types";
import { EcsCall, EcsResponseBody, requireRegion } from "../call";
import { ecsError, missingParameter } from "../errors";
import { round3 } from "../../format";
import { regionCode } from "../../ids";
import type { InstanceRecord } from "../../state/instance";
import type { OfferingState } from "../../state/world";
import {
  checkSecurityGroups,
  readAmounts,
  readAutoReleaseTime,
  readClientToken,
  readInstanceOptions,
  readSpotSettings,
  readSystemDisk,
  readTags,
  readUserData,
} from "./launchParams";

/** Parameters that belong to the signature or transport, not to the request: left out of the idempotency check. */
const NON_REQUEST_PARAMS = new Set([
  "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType",
  "AccessKeyId", "Signature", "SecurityToken", "BearerToken",
]);

/**
 * RunInstances, validated in the order the API reports problems: idempotency, required parameters, the resources
 * named (vSwitch, security groups, image, type, zone), their compatibility, spot settings, TTL, tags, user data,
 * then the spot price, the stock and DryRun. Success creates Amount instances that go Pending -> Starting ->
 * Running on the scenario's timing. (A request with the ClientToken of one still in flight is refused earlier,
 * in the pipeline: see ../clientTokens.ts.)
 */
export function runInstances(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const world = call.world;
  const region = requireRegion(call);

  const clientToken = readClientToken(call);
  const fingerprint = requestFingerprint(call);
  if (clientToken !== undefined) {
    const previous = world.idempotency.get(`${region.regionId}|${clientToken}`);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw ecsError("IdempotentParameterMismatch", `The request is retried with updated parameters: ClientToken "${clientToken}" was used for a different RunInstances request.`);
      }
      return { InstanceIdSets: { InstanceIdSet: [...previous.instanceIds] }, TradePrice: previous.tradePrice };
    }
  }

  const imageId = p.require("ImageId");
  const instanceTypeId = p.require("InstanceType");
  if (p.has("SecurityGroupId") && p.list("SecurityGroupIds").length > 0) throw ecsError("InvalidSecurityGroupId.SingleIdAndMultiIdConflict");
  const securityGroupIds = p.has("SecurityGroupId") ? [p.get("SecurityGroupId")!] : p.list("SecurityGroupIds", 10);
  if (securityGroupIds.length === 0) throw missingParameter("SecurityGroupId");
  const vSwitchId = p.get("VSwitchId");
  if (vSwitchId === undefined) throw ecsError("InvalidVSwitchId.Necessary");
  const { amount, minAmount } = readAmounts(call);

  const vSwitch = world.vSwitches.get(vSwitchId);
  if (!vSwitch || vSwitch.regionId !== region.regionId) throw ecsError("InvalidVSwitchId.NotExist", `The specified virtual switch "${vSwitchId}" does not exist in ${region.regionId}.`);
  const zoneId = p.get("ZoneId") ?? vSwitch.zoneId;
  if (zoneId !== vSwitch.zoneId) {
    throw ecsError("InvalidParameter.Mismatch", `Specified virtual switch is not in the specified zone: "${vSwitchId}" is in ${vSwitch.zoneId}, not in ${zoneId}.`);
  }
  checkSecurityGroups(call, securityGroupIds, vSwitch);
  const image = world.bootableImage(imageId, call.now);
  if (!image || image.regionId !== region.regionId) throw ecsError("InvalidImageId.NotFound", `The specified ImageId "${imageId}" does not exist in ${region.regionId}.`);
  const instanceType = world.instanceTypes.get(instanceTypeId);
  if (!instanceType) throw ecsError("InvalidInstanceType.ValueNotSupported", `The specified InstanceType "${instanceTypeId}" does not exist or beyond the permitted range.`);
  const offering = world.offering(region.regionId, zoneId, instanceTypeId);
  if (!offering) throw ecsError("InvalidInstanceType.ZoneNotSupported", `The specified zone ${zoneId} does not support the instance type ${instanceTypeId}.`);
  if ((instanceType.cpuArchitecture === "ARM") !== (image.architecture === "arm64")) {
    throw ecsError("ImageNotSupportInstanceType", `The specified image ${imageId} (${image.architecture}) does not support the specified InstanceType ${instanceTypeId} (${instanceType.cpuArchitecture}).`);
  }
  const systemDisk = readSystemDisk(call, instanceType, image);
  const spotSettings = readSpotSettings(call, instanceType);
  const { spot, strategy: spotStrategy } = spotSettings;
  const autoReleaseAt = readAutoReleaseTime(call);
  const tags = readTags(call);
  const userData = readUserData(call);
  const options = readInstanceOptions(call);

  const currentPrice = offering.prices.priceAt(call.now);
  if (spotStrategy === "SpotWithPriceLimit" && spotSettings.priceLimit! < currentPrice) {
    throw ecsError(
      "InvalidSpotPriceLimit.LowerThanPublicPrice",
      `The specified parameter "spotPriceLimit" can't be lower than current public price: ${spotSettings.priceLimit} < ${currentPrice} for ${instanceTypeId} in ${zoneId}.`,
    );
  }
  const available = spot && offering.free !== null ? offering.free : Number.POSITIVE_INFINITY;
  if (available < minAmount) {
    throw ecsError("OperationDenied.NoStock", `The resource is out of stock in the specified zone. Please try other types, or choose other regions and zones. (${instanceTypeId} in ${zoneId})`);
  }
  if (p.bool("DryRun")) throw ecsError("DryRunOperation");

  const count = Math.min(amount, available);
  const unitPrice = spot ? currentPrice : instanceType.onDemandPrice;
  const created: InstanceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const instanceId = world.ids.next("i", regionCode(region.regionId));
    const name = options.instanceName === undefined ? instanceId : amount > 1 && p.bool("UniqueSuffix") ? `${options.instanceName}${String(i + 1).padStart(3, "0")}` : options.instanceName;
    created.push(
      newInstance(call, {
        instanceId,
        zoneId,
        instanceType,
        image,
        vSwitch,
        securityGroupIds,
        instanceName: name,
        hostName: options.hostName ?? `iZ${instanceId.slice(2)}Z`,
        tags,
        userData,
        chargeType: spotSettings.chargeType,
        spotStrategy,
        spotPriceLimit: spotSettings.priceLimit,
        spotDuration: spotSettings.duration,
        interruption: spotSettings.interruption,
        autoReleaseAt,
        httpTokens: options.httpTokens,
        httpEndpoint: options.httpEndpoint,
        bandwidthOut: options.bandwidthOut,
        systemDisk,
        offering,
        spot,
      }),
    );
  }
  if (spot) world.takeStock(offering, created.length);
  for (const instance of created) world.addInstance(instance, offering);
  world.launched += created.length;
  const instanceIds = created.map((i) => i.instanceId);
  const tradePrice = round3(unitPrice * created.length);
  if (clientToken !== undefined) world.idempotency.set(`${region.regionId}|${clientToken}`, { fingerprint, instanceIds, tradePrice });
  return { InstanceIdSets: { InstanceIdSet: instanceIds }, TradePrice: tradePrice };
}

interface NewInstance {
  instanceId: string;
  zoneId: string;
  instanceType: ScenarioInstanceType;
  image: ScenarioImage;
  vSwitch: ScenarioVSwitch;
  securityGroupIds: string[];
  instanceName: string;
  hostName: string;
  tags: { key: string; value: string }[];
  userData?: string;
  chargeType: "PostPaid" | "PrePaid";
  spotStrategy: "NoSpot" | "SpotWithPriceLimit" | "SpotAsPriceGo";
  spotPriceLimit?: number;
  spotDuration: number;
  interruption: string;
  autoReleaseAt?: number;
  httpTokens: "optional" | "required";
  httpEndpoint: "enabled" | "disabled";
  bandwidthOut: number;
  systemDisk: { category: string; size: number };
  offering: OfferingState;
  spot: boolean;
}

function newInstance(call: EcsCall, n: NewInstance): InstanceRecord {
  const { timing } = call.world;
  const createdAt = call.now;
  const startingAt = createdAt + timing.pendingMs;
  const runningAt = startingAt + timing.startingMs;
  const digest = createHash("sha256").update(n.instanceId).digest();
  return {
    instanceId: n.instanceId,
    regionId: n.vSwitch.regionId,
    zoneId: n.zoneId,
    instanceType: n.instanceType,
    image: n.image,
    vSwitch: n.vSwitch,
    securityGroupIds: n.securityGroupIds,
    instanceName: n.instanceName,
    hostName: n.hostName,
    description: call.params.get("Description") ?? "",
    tags: n.tags,
    userData: n.userData,
    instanceChargeType: n.chargeType,
    spotStrategy: n.spotStrategy,
    spotPriceLimit: n.spotPriceLimit,
    spotDuration: n.spot ? n.spotDuration : 0,
    spotInterruptionBehavior: n.interruption,
    httpTokens: n.httpTokens,
    httpEndpoint: n.httpEndpoint,
    internetMaxBandwidthOut: n.bandwidthOut,
    systemDisk: n.systemDisk,
    privateIp: call.world.allocatePrivateIp(n.vSwitch),
    publicIp: n.bandwidthOut > 0 ? `47.${96 + (digest[0] % 32)}.${digest[1]}.${1 + (digest[2] % 254)}` : undefined,
    networkInterfaceId: call.world.ids.next("eni", regionCode(n.vSwitch.regionId)),
    macAddress: `00:16:3e:${[digest[3], digest[4], digest[5]].map((b) => b.toString(16).padStart(2, "0")).join(":")}`,
    serialNumber: randomUUID(),
    holdsStock: n.spot && n.offering.free !== null,
    createdAt,
    listedAt: createdAt + timing.listingDelayMs,
    startingAt,
    runningAt,
    autoReleaseAt: n.autoReleaseAt,
    // Accepted, then released while starting, the way a SystemFailure.Delete event removes it.
    vanishAt: call.vanish ? startingAt + Math.floor(timing.startingMs / 2) : undefined,
  };
}

function requestFingerprint(call: EcsCall): string {
  const entries = Object.entries(call.params.raw)
    .filter(([k]) => !NON_REQUEST_PARAMS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}
