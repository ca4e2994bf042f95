import { createHash, randomUUID } from "node:crypto";
import type { ScenarioImage, ScenarioInstanceType, ScenarioVSwitch } from "../../scenario/types";
import { EcsCall, EcsResponseBody, requireRegion } from "../call";
import { ecsError, invalidParameter, missingParameter } from "../errors";
import { decimalPlaces, MINUTE_MS, parseUtc, round3 } from "../../format";
import { regionCode } from "../../ids";
import type { InstanceRecord } from "../../state/instance";
import type { OfferingState } from "../../state/world";
import { DEFAULT_DISK_CATEGORIES } from "./regions";

/** Parameters that belong to the signature or transport, not to the request: left out of the idempotency check. */
const NON_REQUEST_PARAMS = new Set([
  "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType",
  "AccessKeyId", "Signature", "SecurityToken", "BearerToken",
]);
const MAX_USER_DATA_BASE64 = 32 * 1024;
const MIN_AUTO_RELEASE_AHEAD_MS = 30 * MINUTE_MS;
const MAX_AUTO_RELEASE_AHEAD_MS = 3 * 365 * 24 * 60 * MINUTE_MS;

/**
 * RunInstances, validated in the order the API reports problems: idempotency, required parameters, the resources
 * named (vSwitch, security group, image, type, zone), their compatibility, spot settings, TTL, tags, user data,
 * then DryRun, the spot price and the stock. Success creates Amount instances that go Pending -> Starting ->
 * Running on the scenario's timing.
 */
export function runInstances(call: EcsCall): EcsResponseBody {
  const p = call.params;
  const world = call.world;
  const region = requireRegion(call);

  const clientToken = p.get("ClientToken");
  const fingerprint = requestFingerprint(call);
  if (clientToken !== undefined) {
    if (clientToken.length > 64 || !/^[\x20-\x7e]+$/.test(clientToken)) throw ecsError("InvalidClientToken.Malformed");
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
  const securityGroupIds = p.has("SecurityGroupId") ? [p.get("SecurityGroupId")!] : p.list("SecurityGroupIds", 10);
  if (securityGroupIds.length === 0) throw missingParameter("SecurityGroupId");
  if (p.has("SecurityGroupId") && p.list("SecurityGroupIds").length > 0) {
    throw invalidParameter("SecurityGroupIds", "SecurityGroupId and SecurityGroupIds.N cannot be used together", "InvalidParameter.Conflict");
  }
  const vSwitchId = p.get("VSwitchId");
  if (vSwitchId === undefined) throw ecsError("InvalidVSwitchId.Necessary");
  const amount = p.int("Amount", { min: 1, max: 100, fallback: 1, code: "InvalidAmount.ValueNotSupported" }) ?? 1;
  const minAmount = p.int("MinAmount", { min: 1, max: amount, fallback: amount, code: "InvalidAmount.ValueNotSupported" }) ?? amount;

  const vSwitch = world.vSwitches.get(vSwitchId);
  if (!vSwitch || vSwitch.regionId !== region.regionId) throw ecsError("InvalidVSwitchId.NotExist", `The specified virtual switch "${vSwitchId}" does not exist in ${region.regionId}.`);
  const zoneId = p.get("ZoneId") ?? vSwitch.zoneId;
  if (zoneId !== vSwitch.zoneId) {
    throw ecsError("InvalidParameter.Mismatch", `Specified virtual switch "${vSwitchId}" is in ${vSwitch.zoneId}, not in the specified zone ${zoneId}.`);
  }
  for (const id of securityGroupIds) {
    const group = world.securityGroups.get(id);
    if (!group || group.regionId !== region.regionId) throw ecsError("InvalidSecurityGroupId.NotFound", `The specified SecurityGroupId "${id}" does not exist in ${region.regionId}.`);
    if (group.vpcId !== vSwitch.vpcId) {
      throw ecsError("InvalidSecurityGroupId.VPCMismatch", `The security group ${id} is in ${group.vpcId} but the virtual switch ${vSwitchId} is in ${vSwitch.vpcId}.`);
    }
  }
  const image = world.images.get(imageId);
  if (!image || image.regionId !== region.regionId) throw ecsError("InvalidImageId.NotFound", `The specified ImageId "${imageId}" does not exist in ${region.regionId}.`);
  const instanceType = world.instanceTypes.get(instanceTypeId);
  if (!instanceType) throw ecsError("InvalidInstanceType.ValueNotSupported", `The specified InstanceType "${instanceTypeId}" does not exist or beyond the permitted range.`);
  const offering = world.offering(region.regionId, zoneId, instanceTypeId);
  if (!offering) throw ecsError("InvalidInstanceType.ZoneNotSupported", `The specified zone ${zoneId} does not support the instance type ${instanceTypeId}.`);
  if ((instanceType.cpuArchitecture === "ARM") !== (image.architecture === "arm64")) {
    throw ecsError("ImageNotSupportInstanceType", `The image ${imageId} (${image.architecture}) does not support the instance type ${instanceTypeId} (${instanceType.cpuArchitecture}).`);
  }
  const systemDisk = readSystemDisk(call, instanceType, image);

  const chargeType = p.oneOf("InstanceChargeType", ["PostPaid", "PrePaid"], "PostPaid", "InvalidInstanceChargeType.ValueNotSupported");
  const spotStrategy = p.oneOf("SpotStrategy", ["NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"], "NoSpot", "InvalidSpotStrategy");
  const spot = spotStrategy !== "NoSpot";
  if (spot && chargeType === "PrePaid") throw ecsError("InvalidSpotPrepaid");
  const spotPriceLimit = readSpotPriceLimit(call, spotStrategy);
  const spotDuration = p.int("SpotDuration", { min: 0, max: 1, fallback: 1, code: "InvalidSpotDuration" }) ?? 1;
  const interruption = p.oneOf("SpotInterruptionBehavior", ["Terminate", "Stop"], "Terminate", "InvalidSpotInterruptionBehavior");

  const autoReleaseAt = readAutoReleaseTime(call);
  const tags = readTags(call);
  const userData = readUserData(call);
  const instanceName = p.get("InstanceName");
  if (instanceName !== undefined && !/^[A-Za-z\u4e00-\u9fa5][\w\u4e00-\u9fa5.:,\-[\]]{1,127}$/.test(instanceName)) {
    throw ecsError("InvalidInstanceName.Malformed", `The specified InstanceName "${instanceName}" is not valid: 2-128 characters, starting with a letter; letters, digits, '.', '_', '-', ':' and ','.`);
  }
  const hostName = p.get("HostName");
  if (hostName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{1,63}$/.test(hostName)) throw ecsError("InvalidHostName.Malformed");
  const httpTokens = p.oneOf("HttpTokens", ["optional", "required"], "optional", "InvalidHttpTokens.ValueNotSupported");
  const httpEndpoint = p.oneOf("HttpEndpoint", ["enabled", "disabled"], "enabled", "InvalidHttpEndpoint.ValueNotSupported");
  const bandwidthOut = p.int("InternetMaxBandwidthOut", { min: 0, max: 100, fallback: 0, code: "InvalidInternetMaxBandwidthOut.ValueNotSupported" }) ?? 0;

  const currentPrice = offering.prices.priceAt(call.now);
  if (spotStrategy === "SpotWithPriceLimit" && spotPriceLimit! < currentPrice) {
    throw ecsError(
      "InvalidSpotPriceLimit.LowerThanPublicPrice",
      `The specified parameter "spotPriceLimit" can't be lower than current public price: ${spotPriceLimit} < ${currentPrice} for ${instanceTypeId} in ${zoneId}.`,
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
    const name = instanceName === undefined ? instanceId : amount > 1 && p.bool("UniqueSuffix") ? `${instanceName}${String(i + 1).padStart(3, "0")}` : instanceName;
    created.push(
      newInstance(call, {
        instanceId,
        zoneId,
        instanceType,
        image,
        vSwitch,
        securityGroupIds,
        instanceName: name,
        hostName: hostName ?? `iZ${instanceId.slice(2)}Z`,
        tags,
        userData,
        chargeType,
        spotStrategy,
        spotPriceLimit,
        spotDuration,
        interruption,
        autoReleaseAt,
        httpTokens,
        httpEndpoint,
        bandwidthOut,
        systemDisk,
        offering,
        spot,
      }),
    );
  }
  if (spot) world.takeStock(offering, created.length);
  for (const instance of created) world.instances.set(instance.instanceId, instance);
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

function readSystemDisk(call: EcsCall, type: ScenarioInstanceType, image: ScenarioImage): { category: string; size: number } {
  const accepted = type.systemDiskCategories ?? DEFAULT_DISK_CATEGORIES;
  const category = call.params.get("SystemDisk.Category") ?? accepted[0];
  if (!accepted.includes(category)) {
    throw ecsError(
      "InvalidSystemDiskCategory.ValueNotSupported",
      `The system disk category "${category}" is not supported by ${type.instanceTypeId}; it accepts ${accepted.join(", ")}.`,
    );
  }
  const size = call.params.int("SystemDisk.Size", { min: 20, max: 2048, code: "InvalidSystemDiskSize.ValueNotSupported" }) ?? Math.max(40, image.size);
  if (size < image.size) {
    throw ecsError("InvalidSystemDiskSize.LessThanImageSize", `The system disk size ${size} GiB is less than the image size ${image.size} GiB of ${image.imageId}.`);
  }
  return { category, size };
}

function readSpotPriceLimit(call: EcsCall, strategy: string): number | undefined {
  const text = call.params.get("SpotPriceLimit");
  if (strategy !== "SpotWithPriceLimit") return undefined;
  if (text === undefined) throw missingParameter("SpotPriceLimit");
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value) || value <= 0) {
    throw ecsError("InvalidSpotPriceLimit", `The specified SpotPriceLimit "${text}" is not valid: a positive hourly price.`);
  }
  if (decimalPlaces(text) > 3) throw ecsError("InvalidSpotPriceLimit", `The specified SpotPriceLimit "${text}" is not valid: at most three decimal places.`);
  return value;
}

function readAutoReleaseTime(call: EcsCall): number | undefined {
  const text = call.params.get("AutoReleaseTime");
  if (text === undefined) return undefined;
  const parsed = parseUtc(text);
  if (parsed === undefined) throw ecsError("InvalidAutoReleaseTime.Malformed", `The specified AutoReleaseTime "${text}" is not in UTC ISO 8601 format (yyyy-MM-ddTHH:mm:ssZ).`);
  // Seconds are dropped, as the API does.
  const at = Math.floor(parsed / MINUTE_MS) * MINUTE_MS;
  if (at - call.now < MIN_AUTO_RELEASE_AHEAD_MS || at - call.now > MAX_AUTO_RELEASE_AHEAD_MS) {
    throw ecsError("InvalidAutoReleaseTime", `The specified AutoReleaseTime ${text} must be at least 30 minutes and at most 3 years after now (${new Date(call.now).toISOString()}).`);
  }
  return at;
}

function readTags(call: EcsCall): { key: string; value: string }[] {
  const tags = call.params.objectList("Tag", 20).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" }));
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key === "" || key.length > 128 || /^(aliyun|acs:)/i.test(key) || /^https?:\/\//.test(key)) {
      throw ecsError("InvalidTagKey.Malformed", `The specified tag key "${key}" is not valid: 1-128 characters, not starting with aliyun, acs:, http:// or https://.`);
    }
    if (value.length > 128 || /^(aliyun|acs:)/i.test(value) || /^https?:\/\//.test(value)) {
      throw ecsError("InvalidTagValue.Malformed", `The specified value of tag "${key}" is not valid: at most 128 characters, not starting with aliyun, acs:, http:// or https://.`);
    }
    if (seen.has(key)) throw ecsError("InvalidTagKey.Duplicated", `The tag key "${key}" is given more than once.`);
    seen.add(key);
  }
  return tags;
}

function readUserData(call: EcsCall): string | undefined {
  const text = call.params.get("UserData");
  if (text === undefined) return undefined;
  if (text.length > MAX_USER_DATA_BASE64) {
    throw ecsError("InvalidUserData.SizeExceeded", `The specified UserData is ${text.length} bytes of Base64; the limit is 32 KB.`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw ecsError("InvalidUserData.NotSupported");
  return text;
}
